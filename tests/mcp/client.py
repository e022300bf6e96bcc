"""An MCP client for the tests: the official Python SDK, over stdio or
Streamable HTTP. Reads the steps as JSON from standard input, e.g.
[{"list": true}, {"call": "list_invoices", "arguments": {"limit": 2}}]
({"sleep": SECONDS} waits and prints nothing),
and prints one JSON line for each: {"tools": [...]}, {"result": {...}} or
{"error": {"code": ..., "message": ...}}.

    python client.py stdio STDERR_FILE COMMAND [ARGS...]
    python client.py http URL [HEADER:VALUE...]
"""

import asyncio
import json
import os
import sys

import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


async def run(session, steps):
    await session.initialize()
    for step in steps:
        try:
            if "sleep" in step:
                await asyncio.sleep(step["sleep"])
                continue
            if step.get("list"):
                tools = await session.list_tools()
                out = {"tools": [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools.tools]}
            else:
                result = await session.call_tool(step["call"], step.get("arguments", {}))
                out = {"result": result.model_dump(mode="json", by_alias=True, exclude_none=True)}
        except MCPError as e:
            out = {"error": {"code": e.error.code, "message": e.error.message}}
        print(json.dumps(out), flush=True)


async def main():
    steps = json.load(sys.stdin)
    mode = sys.argv[1]
    if mode == "stdio":
        params = StdioServerParameters(command=sys.argv[3], args=sys.argv[4:], env=dict(os.environ))
        with open(sys.argv[2], "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    await run(session, steps)
    else:
        headers = dict(h.split(":", 1) for h in sys.argv[3:])
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
            async with streamable_http_client(sys.argv[2], http_client=http) as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    await run(session, steps)


asyncio.run(main())
