#!/usr/bin/env python3
"""The tutorial's blockchain node, rebuilt on python3's standard library.

The tutorial (a Flask app) cannot be installed here, so this file reproduces
its node with http.server for powlab's interoperability tests: the same
routes, JSON shapes, hash (sha256 of json.dumps(block, sort_keys=True)),
proof-of-work (sha256(f"{last_proof}{proof}") starting with a hex prefix),
genesis block (proof=100, prev_hash=1), longest-chain resolution, and peer
registration by netloc. It keeps what the tutorial intends, not two of its
bugs: a block's transactions are the pending list (not list.clear()'s None)
and timestamps are time.time() floats (not a datetime json cannot encode).

Responses are written as Flask's jsonify writes them (compact separators,
sorted keys, ASCII escapes, a trailing newline); plain-string answers are
text/html, as Flask sends a returned str.

Usage: tutorial_node.py [--host 127.0.0.1] [--port 0] [--prefix 000]
The first line on stdout is "listening http://HOST:PORT" once it serves.
"""

import argparse
import hashlib
import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse
from uuid import uuid4


class Blockchain:
    def __init__(self, prefix):
        self.prefix = prefix
        self.chain = []
        self.current_transactions = []
        self.nodes = set()
        self.new_block(proof=100, prev_hash=1)

    def new_block(self, proof, prev_hash):
        block = {
            "index": len(self.chain) + 1,
            "timestamp": time.time(),
            "transactions": self.current_transactions,
            "proof": proof,
            "prev_hash": prev_hash or self.hash(self.chain[-1]),
        }
        self.current_transactions = []
        self.chain.append(block)
        return block

    def new_transaction(self, sender, recipient, amount):
        self.current_transactions.append({
            "sender": sender,
            "recipient": recipient,
            "amount": amount,
        })
        return self.last_block["index"] + 1

    @staticmethod
    def hash(block):
        block_str = json.dumps(block, sort_keys=True).encode("utf-8")
        return hashlib.sha256(block_str).hexdigest()

    @property
    def last_block(self):
        return self.chain[-1]

    def proof_of_work(self, last_block):
        last_proof = last_block["proof"]
        proof = 0
        while self.valid_proof(last_proof, proof) is False:
            proof += 1
        return proof

    def valid_proof(self, last_proof, proof):
        guess = f"{last_proof}{proof}".encode("utf-8")
        guess_hash = hashlib.sha256(guess).hexdigest()
        return guess_hash[:len(self.prefix)] == self.prefix

    def register_node(self, addr):
        parsed_url = urlparse(addr)
        if parsed_url.netloc:
            self.nodes.add(parsed_url.netloc)
        elif parsed_url.path:
            self.nodes.add(parsed_url.path)
        else:
            raise ValueError("url无效")

    def valid_chain(self, chain):
        last_block = chain[0]
        current_index = 1
        while current_index < len(chain):
            block = chain[current_index]
            if block["prev_hash"] != self.hash(last_block):
                return False
            if not self.valid_proof(last_block["proof"], block["proof"]):
                return False
            last_block = block
            current_index += 1
        return True

    def resolve_conflicts(self):
        neighbours = list(self.nodes)
        new_chain = None
        max_length = len(self.chain)
        for node in neighbours:
            try:
                with urllib.request.urlopen(f"http://{node}/chain", timeout=10) as r:
                    status = r.status
                    body = json.loads(r.read())
            except Exception as e:  # the tutorial would raise; a test node logs
                print(f"fetch {node}: {e}", file=sys.stderr, flush=True)
                continue
            if status == 200:
                length = body["length"]
                chain = body["chain"]
                if length > max_length and self.valid_chain(chain):
                    max_length = length
                    new_chain = chain
        if new_chain:
            self.chain = new_chain
            return True
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tutorial-node/1"

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), file=sys.stderr, flush=True)

    def reply(self, status, body, ctype):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def jsonify(self, obj, status=200):
        text = json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"
        self.reply(status, text, "application/json")

    def text(self, s, status=200):
        self.reply(status, s, "text/html; charset=utf-8")

    def read_body(self):
        # Read the whole body before answering, whatever the route, so a
        # kept-alive connection stays in step (as Flask does).
        n = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(n) if n > 0 else b""

    def get_json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def do_GET(self):
        bc, node_id, lock = self.server.bc, self.server.node_id, self.server.lock
        path = urlparse(self.path).path
        if path == "/":
            return self.text("welcome to ChaorsCoin...")
        if path == "/chain":
            with lock:
                resp = {"chain": bc.chain, "length": len(bc.chain)}
                return self.jsonify(resp)
        if path == "/mine":
            with lock:
                last_block = bc.last_block
                proof = bc.proof_of_work(last_block)
                bc.new_transaction(sender="0", recipient=node_id, amount=12.5)
                block = bc.new_block(proof, bc.hash(last_block))
                resp = {
                    "message": "new block created...",
                    "index": block["index"],
                    "transactions": block["transactions"],
                    "proof": block["proof"],
                    "hash": bc.hash(block),
                    "prev_hash": block["prev_hash"],
                }
                return self.jsonify(resp)
        if path == "/node_refresh":
            # The fetches run outside the lock so /chain keeps answering.
            snapshot = Blockchain.__new__(Blockchain)
            with lock:
                snapshot.prefix, snapshot.nodes, snapshot.chain = bc.prefix, set(bc.nodes), list(bc.chain)
            replaced = snapshot.resolve_conflicts()
            with lock:
                if replaced and len(snapshot.chain) > len(bc.chain):
                    bc.chain = snapshot.chain
                else:
                    replaced = False
                if replaced:
                    resp = {"message": "区块链被替换为最长有效链", "new chain": bc.chain}
                else:
                    resp = {"message": "当前区块链为最长无需替换", "chain": bc.chain}
                return self.jsonify(resp)
        self.text("<h1>Not Found</h1>", 404)

    def do_POST(self):
        self.read_body()
        bc, lock = self.server.bc, self.server.lock
        path = urlparse(self.path).path
        if path == "/new_transcations":
            values = self.get_json()
            required = ["sender", "recipient", "amount"]
            if not isinstance(values, dict) or not all(k in values for k in required):
                return self.text("数据不完整或格式错误", 400)
            with lock:
                index = bc.new_transaction(values["sender"], values["recipient"], values["amount"])
            return self.jsonify({"message": f"交易加入到区块{index}"})
        if path == "/new_node":
            values = self.get_json()
            nodes = values.get("nodes") if isinstance(values, dict) else None
            if nodes is None:
                return self.text("怎么是空节点")
            with lock:
                for node in nodes:
                    bc.register_node(node)
                resp = {"message": "网络节点加入到区块", "nodes": list(bc.nodes)}
            return self.jsonify(resp)
        self.text("<h1>Not Found</h1>", 404)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--prefix", default="000")
    args = ap.parse_args()
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    srv.bc = Blockchain(args.prefix)
    srv.node_id = str(uuid4()).replace("-", "")
    srv.lock = threading.Lock()
    host, port = srv.server_address[:2]
    print(f"listening http://{host}:{port}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
