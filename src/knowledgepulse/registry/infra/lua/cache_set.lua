-- Write a cache entry at the current invalidation sequence, or at a caller's earlier stamp.
-- KEYS[1]  entry hash   KEYS[2] sequence counter
-- ARGV[1]  value   ARGV[2] ttl (ms)   ARGV[3] now (epoch ms)   ARGV[4] stamp or -1
-- ARGV[5]  tags (JSON array)   ARGV[6] tag key prefix   ARGV[7] invalidated-prefixes hash
-- ARGV[8]  logical key
-- Returns 1 if stored; 0 when the value was computed before an invalidation that hits it
-- (or before the counter was reset), so it is dropped instead of stored stale.
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
local s = tonumber(ARGV[4])
if s < 0 then
  s = seq
elseif s > seq then
  return 0
elseif s < seq and is_stale(s, ARGV[5], ARGV[6], ARGV[7], ARGV[8]) then
  return 0
end
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', string.format('%d', s),
  'e', string.format('%d', tonumber(ARGV[3]) + ttl), 't', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
