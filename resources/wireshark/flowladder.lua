-- FlowLadder for Wireshark: right-click a TCP packet, "Open this TCP connection in FlowLadder".
--
-- The connection's packets (tcp.stream of the packet) are written to a temporary pcap as
-- Wireshark dissects them again, and FlowLadder opens that file at the same packet: it works on
-- a saved file, an unsaved live capture and a filtered view alike, and FlowLadder's frame numbers
-- then count within the connection (the packet's own Wireshark number is in the file name).
--
-- Install: copy this file into Wireshark's personal Lua plugins folder
-- (~/.local/lib/wireshark/plugins/ on Linux; Help > About Wireshark > Folders shows it), or run
-- `wireshark -X lua_script:/usr/share/flowladder/wireshark/flowladder.lua`. The program started
-- is `flowladder` from PATH, or $FLOWLADDER_PROGRAM. The other direction, FlowLadder to
-- Wireshark, is FlowLadder's Edit > Open in Wireshark at this packet.

local FlowLadder = {}
_G.FlowLadder = FlowLadder -- tests reach the functions below through tshark

FlowLadder.program = os.getenv("FLOWLADDER_PROGRAM") or "flowladder"

-- 'it'\''s' : a word for /bin/sh whatever it holds.
function FlowLadder.quote(s)
    return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- The command that opens `path` at its packet number `row` (1-based) in the background.
function FlowLadder.command(path, row)
    return FlowLadder.quote(FlowLadder.program) .. " " .. FlowLadder.quote(path) .. " --flow 1 --frame " ..
               tostring(row) .. " >/dev/null 2>&1 &"
end

-- Writes the packets of TCP stream `stream` to `path` while Wireshark dissects (a tap), noting
-- which of them is frame `frame`. The function returned, finish(), closes the file, removes the
-- tap and calls done(count, row) once: call it after retap_packets() (in tshark the end of the
-- file finishes).
function FlowLadder.export_stream(stream, frame, path, done)
    local dumper, count, row, finished = nil, 0, 0, false
    local tap = Listener.new("frame", "tcp.stream == " .. tostring(stream))
    local function finish(drawing)
        if finished then return end
        finished = true
        if dumper then dumper:close() end
        -- Removed when done, not from its own draw callback (tshark crashes on that at exit).
        if not drawing then tap:remove() end
        done(count, row)
    end
    function tap.packet(pinfo)
        if finished then return end
        if not dumper then dumper = Dumper.new_for_current(path) end
        dumper:dump_current()
        count = count + 1
        if pinfo.number == frame then row = count end
    end
    -- tshark draws the tap once, at the end of the file: done then. Wireshark also draws during
    -- retap_packets(); there the caller finishes after it.
    function tap.draw()
        if not gui_enabled() then finish(true) end
    end
    return finish
end

-- The value of field `name` among the selected packet's fields (the menu action's arguments).
local function field(name, ...)
    local fields = { ... }
    if #fields == 1 and type(fields[1]) == "table" then fields = fields[1] end
    for _, f in ipairs(fields) do
        if f.name == name then return tonumber(tostring(f.value)) end
    end
    return nil
end

local function open_connection(...)
    local stream, frame = field("tcp.stream", ...), field("frame.number", ...)
    if not stream or not frame then return end
    local path = os.tmpname()
    os.remove(path)
    path = path .. "-frame" .. frame .. ".pcap"
    local finish = FlowLadder.export_stream(stream, frame, path, function(count, row)
        if count == 0 then return end
        os.execute(FlowLadder.command(path, row > 0 and row or 1))
    end)
    retap_packets() -- dissects every packet again: the tap writes the connection's
    finish()
end

if gui_enabled() and register_packet_menu then
    register_packet_menu("FlowLadder/Open this TCP connection in FlowLadder", open_connection, "tcp.stream")
end
