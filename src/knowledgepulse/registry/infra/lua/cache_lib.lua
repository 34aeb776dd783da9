-- Shared by cache_get.lua and cache_set.lua (prepended when the script is loaded).
-- An entry written at invalidation sequence `seq` is stale once any of its tags, or any
-- invalidated prefix of its key, carries a larger sequence number.
local function is_stale(seq, tags_json, tag_prefix, prefixes_key, name)
  local tags = cjson.decode(tags_json)
  if #tags > 0 then
    local keys = {}
    for i, tag in ipairs(tags) do keys[i] = tag_prefix .. tag end
    local gens = redis.call('MGET', unpack(keys))
    for i = 1, #gens do
      if gens[i] and tonumber(gens[i]) > seq then return true end
    end
  end
  local prefixes = redis.call('HGETALL', prefixes_key)
  for i = 1, #prefixes, 2 do
    local p = prefixes[i]
    if tonumber(prefixes[i + 1]) > seq and string.sub(name, 1, #p) == p then return true end
  end
  return false
end
