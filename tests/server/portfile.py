"""Serving on an ephemeral loopback port and telling the test which one, atomically."""
import os


def serve(server, port_file):
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()
