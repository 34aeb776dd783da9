-- Store the response of the attempt that owns the scope (registry-api.md §9.4).
-- KEYS[1]  record hash (see idempotency_begin.lua)
-- ARGV[1]  owner token   ARGV[2] now (epoch ms)   ARGV[3] record lifetime (ms)
-- ARGV[4]  status   ARGV[5] headers (JSON pairs)   ARGV[6] body (bytes)
-- Returns 1 when the record now holds this owner's response, else 0 (someone else took
-- over after the in-progress marker expired, or the marker is gone).
local key = KEYS[1]
local owner = ARGV[1]
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local r = redis.call('HMGET', key, 'state', 'owner')
if r[2] ~= owner then return 0 end
if r[1] == 'done' then return 1 end
redis.call('HSET', key, 'state', 'done', 'exp', string.format('%d', now + ttl),
  'status', ARGV[4], 'headers', ARGV[5], 'body', ARGV[6])
redis.call('PEXPIRE', key, ttl)
return 1
