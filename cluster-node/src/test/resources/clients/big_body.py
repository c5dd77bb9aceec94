"""A client no one at Gatehouse wrote: Python's http.client, which sends a whole request body
before it reads the answer (so does requests). Usage: big_body.py PORT PATH TOKEN BYTES
Prints the answer's status and body, or the error the client met (a broken pipe, a reset)."""
import http.client
import sys

port, path, token, size = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
try:
    conn.request("POST", path, body=b"x" * size,
                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = conn.getresponse()
    print(r.status, r.read().decode())
except Exception as e:
    print("error", type(e).__name__, e)
