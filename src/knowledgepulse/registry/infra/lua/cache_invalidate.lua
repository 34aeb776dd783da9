-- Invalidate tags or key prefixes in one step: bump the sequence and record it for each.
-- KEYS[1]  sequence counter   KEYS[2] invalidated-prefixes hash   KEYS[3] their times (zset)
-- ARGV[1]  'tag' or 'prefix'   ARGV[2] now (epoch ms)   ARGV[3] max entry ttl (ms)
-- ARGV[4]  tag key prefix   ARGV[5..] names
-- The sequence never goes below the server's clock in microseconds: if the counter key is
-- lost (eviction, FLUSHDB) the next number still exceeds every number handed out before,
-- so entries written then cannot outlive a later invalidation.
-- Records older than the longest entry ttl are dropped: every entry they could hide has
-- expired by then. Returns the new sequence number.
local t = redis.call('TIME')
local clock_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local seq = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, clock_us)
local seq_s = string.format('%d', seq)
redis.call('SET', KEYS[1], seq_s)
local now, max_ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[1] == 'tag' then
  for i = 5, #ARGV do
    redis.call('SET', ARGV[4] .. ARGV[i], seq_s, 'PX', max_ttl)
  end
else
  for i = 5, #ARGV do
    redis.call('HSET', KEYS[2], ARGV[i], seq_s)
    redis.call('ZADD', KEYS[3], now, ARGV[i])
  end
  local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', string.format('%d', now - max_ttl))
  for _, name in ipairs(old) do
    redis.call('HDEL', KEYS[2], name)
    redis.call('ZREM', KEYS[3], name)
  end
  redis.call('PEXPIRE', KEYS[2], max_ttl)
  redis.call('PEXPIRE', KEYS[3], max_ttl)
end
return seq
