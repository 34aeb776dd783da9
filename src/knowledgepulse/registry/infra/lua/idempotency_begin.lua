-- Claim an idempotency scope, atomically (registry-api.md §9.4, FIX-S7).
-- KEYS[1]  record hash: state pending|done, fp, owner, exp (epoch ms), status, headers, body
-- ARGV[1]  body fingerprint   ARGV[2] owner token of this attempt
-- ARGV[3]  now (epoch ms, caller's clock)   ARGV[4] in-progress lifetime (ms)
-- Returns {'started'} | {'in_progress'} | {'mismatch'} | {'replay', status, headers, body}.
-- Expiry is judged by `exp` against the caller's clock; the key's PEXPIRE only collects
-- garbage, so the memory and Redis stores expire records at the same instant.
local key = KEYS[1]
local fp, owner = ARGV[1], ARGV[2]
local now, lock_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local r = redis.call('HMGET', key, 'state', 'fp', 'exp', 'owner')
if r[1] and tonumber(r[3]) > now then
  -- The same attempt again (a client-side retry after a lost reply) still owns it.
  if r[1] == 'pending' and r[4] == owner then return {'started'} end
  if r[2] ~= fp then return {'mismatch'} end
  if r[1] == 'done' then
    local v = redis.call('HMGET', key, 'status', 'headers', 'body')
    return {'replay', v[1], v[2], v[3]}
  end
  return {'in_progress'}
end
redis.call('DEL', key)
redis.call('HSET', key, 'state', 'pending', 'fp', fp, 'owner', owner,
  'exp', string.format('%d', now + lock_ms))
redis.call('PEXPIRE', key, lock_ms)
return {'started'}
