-- Token bucket consume, atomic per bucket (registry-api.md §9.3, data-model.md §13.2).
-- KEYS[1]  bucket key, state JSON {"tokens": float, "lastRefill": epoch ms}
-- ARGV[1]  capacity L (> 0; the caller answers L = 0 without calling Redis)
-- ARGV[2]  now in epoch ms from the caller's clock, or -1 to use the server's TIME
-- ARGV[3]  key TTL in seconds; must be >= 60 so an expired bucket was full anyway
-- Returns {allowed 0/1, limit, remaining, reset epoch s, retry_after s, now ms}.
-- The arithmetic mirrors MemoryRateLimiter operation for operation, so both give the same
-- floats; tokens are written with 17 significant digits so nothing is lost between calls.
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local rate = limit / 60
local tokens = limit
local last = now
local raw = redis.call('GET', key)
if raw then
  local state = cjson.decode(raw)
  tokens = tonumber(state.tokens)
  last = tonumber(state.lastRefill)
  -- A clock that stepped backwards refills nothing and never moves lastRefill back,
  -- so the same interval can never be credited twice.
  local elapsed = now - last
  if elapsed < 0 then
    elapsed = 0
  else
    last = now
  end
  tokens = math.min(limit, tokens + elapsed / 1000 * rate)
end
local sec = math.floor(now / 1000)
local allowed = 0
local remaining = 0
local retry = 0
local reset = sec + 60
if tokens < 1 then
  retry = math.ceil((1 - tokens) / rate)
  reset = sec + retry
else
  tokens = tokens - 1
  allowed = 1
  remaining = math.floor(tokens)
end
redis.call('SET', key,
  string.format('{"tokens":%.17g,"lastRefill":%d}', tokens, last), 'EX', ttl)
return {allowed, limit, remaining, reset, retry, now}
