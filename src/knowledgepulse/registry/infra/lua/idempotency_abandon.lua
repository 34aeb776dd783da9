-- Release a scope whose attempt failed so that a retry can run (registry-api.md §9.4).
-- KEYS[1]  record hash   ARGV[1] owner token
-- Returns 1 when this owner's in-progress marker was removed, else 0.
local r = redis.call('HMGET', KEYS[1], 'state', 'owner')
if r[1] == 'pending' and r[2] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
