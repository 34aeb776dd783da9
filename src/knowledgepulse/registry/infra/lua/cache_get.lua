-- Read a cache entry unless it expired (caller's clock) or was invalidated.
-- KEYS[1]  entry hash: v value, s sequence at write, e expiry (epoch ms), t tags (JSON)
-- ARGV[1]  now (epoch ms)   ARGV[2] tag key prefix   ARGV[3] invalidated-prefixes hash
-- ARGV[4]  the entry's logical key (what prefixes are matched against)
-- Returns the value, or false; a dead entry is deleted on the way.
local e = redis.call('HMGET', KEYS[1], 'v', 's', 'e', 't')
if not e[1] then return false end
if tonumber(e[3]) <= tonumber(ARGV[1])
    or is_stale(tonumber(e[2]), e[4], ARGV[2], ARGV[3], ARGV[4]) then
  redis.call('DEL', KEYS[1])
  return false
end
return e[1]
