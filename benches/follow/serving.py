"""The `sitrep serve` the follow benches query: started on a free loopback port."""

import re
import subprocess
import sys


def start_server(sitrep, corpus, index):
    """Starts `sitrep serve` on 127.0.0.1:0; returns the process and its base URL."""
    server = subprocess.Popen(
        [sitrep, "--corpus", corpus, "--index", index, "serve", "--bind", "127.0.0.1:0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    line = server.stderr.readline()
    match = re.search(r"http://([0-9.:]+)/", line)
    if not match:
        sys.exit(f"sitrep serve did not start: {line}")
    return server, f"http://{match.group(1)}"
