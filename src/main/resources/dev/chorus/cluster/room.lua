-- Every change to a room, as one atomic step in Redis: numbering and appending a message,
-- admitting and discharging members, reading the history back. Being one step is what gives all
-- nodes one order (the log's) and contiguous ids, whoever sends at the same time.
--
-- KEYS: 1 the room's state (hash: epoch, seq, last: the newest entry's position), 2 its log (stream), 3 its member names (sorted
--       set, all scores 0, so lexical order), 4 who holds each name (hash: name -> node id),
--       5 the room's live channel (a shard channel, declared like a key so that Redis Cluster
--       runs the script on the shard it belongs to). All five share the room's hash tag, so Redis
--       Cluster keeps a room on one shard.
-- ARGV: 1 the operation, 2 the epoch to start if the room has none (a Redis that lost the room
--       starts numbering anew under a new one), 3 the log's length (approximate trim), 4 how
--       long (ms) a room nobody is in keeps its log and numbering, then the operation's own
--       arguments.
-- A room's state and log expire only while it has no member: the last leave sets the expiry, a
-- join takes it off. Its names and owners need none: Redis deletes an empty hash or sorted set.
local state, log, names, owners, live = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local op, fresh, maxlen, idle = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

-- Reading operations first: they must not start a room's numbering.
if op == 'page' then
  -- 5 the name to page after ('' from the first), 6 names at most: the count and one page
  local from = ARGV[5] == '' and '-' or '(' .. ARGV[5]
  return {redis.call('ZCARD', names), redis.call('ZRANGEBYLEX', names, from, '+', 'LIMIT', 0, ARGV[6])}
elseif op == 'history' then
  -- 5 log entries to read back, newest first, as 'backlog' does, for a read over HTTP: a room
  -- nobody ever numbered answers an empty epoch rather than being started by the read
  local numbering = redis.call('HGET', state, 'epoch')
  if not numbering then
    return {'', 0, {}}
  end
  return {numbering, tonumber(redis.call('HGET', state, 'seq')), redis.call('XREVRANGE', log, '+', '-', 'COUNT', ARGV[5])}
end

local epoch = redis.call('HGET', state, 'epoch')
if not epoch then
  epoch = fresh
  redis.call('HSET', state, 'epoch', epoch, 'seq', 0)
  if redis.call('ZCARD', names) == 0 then
    -- started by a read back before a join: kept only if the join follows
    redis.call('PEXPIRE', state, idle)
  end
end

-- Appends an entry to the log and pushes it, with the position of the entry before it, to the
-- nodes that follow the room: a node applies a pushed entry only right after that one, and reads
-- the log from where it stands when it is not (it subscribed late, or missed a push), so the push
-- saves every node a read per entry without ever making it skip one. The last position is kept in
-- the room's state ('last'), so an append reads nothing of the log; a state without it (written by
-- an earlier version) asks the log once.
local function append(...)
  local before = redis.call('HGET', state, 'last')
  if not before then
    local newest = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)[1]
    before = newest and newest[1] or '0-0'
  end
  local fields = {'e', epoch, ...}
  local at = redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', unpack(fields))
  redis.call('HSET', state, 'last', at)
  local pushed = {at = at, p = before}
  for i = 1, #fields, 2 do
    pushed[fields[i]] = tostring(fields[i + 1])
  end
  redis.call('SPUBLISH', live, cjson.encode(pushed))
  return at
end

-- Takes the name out of the room and announces its leave, if the node holds it; false if it does
-- not (someone else holds the name now), so a late or repeated leave is never announced twice.
local function discharge(name, node)
  if redis.call('HGET', owners, name) ~= node then
    return false
  end
  redis.call('HDEL', owners, name)
  redis.call('ZREM', names, name)
  local count = redis.call('ZCARD', names)
  append('t', 'l', 'f', name, 'c', count, 'o', node)
  if count == 0 then
    redis.call('PEXPIRE', state, idle)
    redis.call('PEXPIRE', log, idle)
  end
  return true
end

if op == 'say' then
  -- 5 sender's name, 6 text, 7 time (epoch ms), 8 sender's node, 9 the sending connection's
  -- token: its ack goes to that connection, never to whoever holds the name when the log is read.
  -- Refused unless that node holds the name: a say that reaches Redis after its node was swept
  -- (sent into a network partition that healed late) would speak for a member who left, under a
  -- name another member may hold by then.
  if redis.call('HGET', owners, ARGV[5]) ~= ARGV[8] then
    return redis.error_reply('NOTHELD ' .. ARGV[5] .. ' is not held by node ' .. ARGV[8] .. ' in this room')
  end
  local id = redis.call('HINCRBY', state, 'seq', 1)
  append('t', 'm', 'n', id, 'f', ARGV[5], 'x', ARGV[6], 'ts', ARGV[7], 'o', ARGV[8], 'k', ARGV[9])
  return id
elseif op == 'post' then
  -- 5 display name, 6 text, 7 time (epoch ms), 8 node: a message the application publishes,
  -- marked as such ('s'); a room nobody is in keeps it for its next member until the room expires
  local id = redis.call('HINCRBY', state, 'seq', 1)
  append('t', 'm', 'n', id, 'f', ARGV[5], 'x', ARGV[6], 'ts', ARGV[7], 'o', ARGV[8], 's', '1')
  if redis.call('ZCARD', names) == 0 then
    redis.call('PEXPIRE', state, idle)
    redis.call('PEXPIRE', log, idle)
  end
  return {id, epoch}
elseif op == 'join' then
  -- 5 requested name, 6 node, 7 names to return: the name made unique across the cluster
  local name, n = ARGV[5], 2
  while redis.call('HEXISTS', owners, name) == 1 do
    name = ARGV[5] .. '#' .. n
    n = n + 1
  end
  redis.call('HSET', owners, name, ARGV[6])
  redis.call('ZADD', names, 0, name)
  local count = redis.call('ZCARD', names)
  local at = append('t', 'j', 'f', name, 'c', count, 'o', ARGV[6])
  redis.call('PERSIST', state)
  redis.call('PERSIST', log)
  return {name, count, epoch, tonumber(redis.call('HGET', state, 'seq')), redis.call('ZRANGE', names, 0, ARGV[7] - 1), at}
elseif op == 'leave' then
  -- 5 name, 6 the node that must hold it
  return discharge(ARGV[5], ARGV[6]) and 1 or 0
elseif op == 'sweep' then
  -- 5 a node taken for dead, 6 the cursor ('0' first), 7 names to look at: one page of the room's
  -- names (HSCAN: each name there throughout is met at least once), the node's among them leave.
  -- Answers the next cursor ('0' once the room is done) and how many left. One page per call keeps
  -- Redis free for others between pages, and one call per page, not one per name, keeps a dead
  -- node's sweep from flooding Redis with round trips.
  local page = redis.call('HSCAN', owners, ARGV[6], 'COUNT', ARGV[7])
  local found, left = page[2], 0
  for i = 1, #found, 2 do
    if found[i + 1] == ARGV[5] and discharge(found[i], ARGV[5]) then
      left = left + 1
    end
  end
  return {page[1], left}
elseif op == 'backlog' then
  -- 5 log entries to read back, newest first, with the numbering they belong to
  return {epoch, tonumber(redis.call('HGET', state, 'seq')), redis.call('XREVRANGE', log, '+', '-', 'COUNT', ARGV[5])}
end
return redis.error_reply('unknown room operation ' .. tostring(op))
