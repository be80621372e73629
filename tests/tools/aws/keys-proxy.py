"""A recording, fault-injecting proxy in front of moto_server, for the tests
of `mfa aws keys|creds|exec|rotate|login` (tests/bats/aws_keys.bats).

Run with the `python3` on PATH (the installation that has moto and
botocore), not Debian's /usr/bin/python3, which has no usable botocore.

What it does, for every request mfa (or the AWS CLI) sends it:
  - logs one JSON line to DIR/proxy.log: the action, the signing access key
    id, whether a session token came with it, the request's parameters
    (never a secret: query-protocol requests carry none) and the status;
  - checks the SigV4 signature with botocore's own signer when it knows the
    key's secret ("sig": "ok" / "bad" / "unknown"). It knows the secrets
    listed in DIR/proxy.secrets (JSON: {access key id: secret}, written by
    the test) and every secret that passes through it in an answer
    (GetSessionToken, AssumeRole, GetFederationToken, CreateAccessKey),
    which it appends to DIR/proxy.learned (one JSON line each) so that a
    test can look for them anywhere else;
  - applies the rules in DIR/proxy.rules (a JSON list, re-read per request):
      {"action": "DeleteAccessKey",          match on the action,
       "param": {"AccessKeyId": "AKIA..."},  ... on parameters (optional),
       "signer_not": "AKIA...",              ... on who signed (optional),
       "signer": "AKIA...",                  ... (optional),
       "times": 2,                           apply this many times (optional),
       "fail": {"status": 500, "code": "X", "message": "..."},
       "run": "shell command"}               run after forwarding
    "fail" answers with that AWS error instead of forwarding.
  - answers the federation endpoint itself (GET /federation, as
    signin.aws.amazon.com does): Action=getSigninToken checks that the
    Session JSON holds a session it saw issued (id, key and token) and
    returns {"SigninToken": ...}; the token issued is logged.
  - tunnels CONNECT (HTTPS_PROXY) to 127.0.0.1:<the port asked for>,
    whatever the host name, logging the request line.

Usage: keys-proxy.py DIR UPSTREAM_URL [--tls]
Writes DIR/proxy.port (or DIR/tls.port with --tls, which serves HTTPS with
a self-signed certificate for sts.mfa.test, 127.0.0.1 and localhost,
written to DIR/tls.pem).
"""
import datetime
import http.client
import json
import os
import re
import secrets
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from botocore.auth import SigV4Auth
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:  # signatures are then "unknown"
    SigV4Auth = None

LOCK = threading.Lock()
STATE = {"dir": None, "upstream": None, "learned": {}, "sessions": {},
         "rule_hits": {}}

CRED_RE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


def log(entry):
    entry["time"] = time.time()
    with LOCK:
        with open(os.path.join(STATE["dir"], "proxy.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def known_secret(akid):
    if akid in STATE["learned"]:
        return STATE["learned"][akid]
    try:
        with open(os.path.join(STATE["dir"], "proxy.secrets")) as f:
            return json.load(f).get(akid)
    except (OSError, ValueError):
        return None


def learn(akid, secret, token, kind):
    with LOCK:
        STATE["learned"][akid] = secret
        if token:
            STATE["sessions"][akid] = (secret, token)
        with open(os.path.join(STATE["dir"], "proxy.learned"), "a") as f:
            f.write(json.dumps({"akid": akid, "secret": secret,
                                "token": token, "kind": kind}) + "\n")


def check_sig(method, url, headers, body):
    auth = headers.get("Authorization", "")
    m = CRED_RE.search(auth)
    if m is None:
        return None, "none"
    akid, _, region, service = m.groups()
    secret = known_secret(akid)
    if secret is None or SigV4Auth is None:
        return akid, "unknown"
    signed = re.search(r"SignedHeaders=([^,\s]+)", auth).group(1).split(";")
    h = {}
    for name in signed:
        if name in ("host", "x-amz-date"):
            continue
        h[name] = headers.get(name, "")
    req = AWSRequest(method=method, url=url, data=body, headers=h)
    req.headers["Host"] = headers.get("Host")
    amzdate = headers.get("X-Amz-Date", "")
    t = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *a, **k: t
    token = headers.get("X-Amz-Security-Token")
    SigV4Auth(Credentials(akid, secret, token), service, region).add_auth(req)
    return akid, "ok" if req.headers["Authorization"] == auth else "bad"


def rules():
    try:
        with open(os.path.join(STATE["dir"], "proxy.rules")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def matching_rule(action, params, akid):
    for i, r in enumerate(rules()):
        if r.get("action") != action:
            continue
        if any(params.get(k) != v for k, v in r.get("param", {}).items()):
            continue
        if "signer_not" in r and akid == r["signer_not"]:
            continue
        if "signer" in r and akid != r["signer"]:
            continue
        key = json.dumps(r, sort_keys=True)
        with LOCK:
            hits = STATE["rule_hits"].get(key, 0)
            if "times" in r and hits >= r["times"]:
                continue
            STATE["rule_hits"][key] = hits + 1
        return r
    return None


def xml_text(body, name):
    m = re.search(r"<%s>([^<]*)</%s>" % (name, name), body)
    return m.group(1) if m else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        log({"connect": self.path})
        try:
            up = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        except (OSError, ValueError):
            self.reply(502, "no such port")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        socks = [self.connection, up]
        try:
            while True:
                r, _, _ = select.select(socks, [], [], 30)
                if not r:
                    break
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        raise EOFError
                    (up if s is self.connection else self.connection).sendall(data)
        except (EOFError, OSError):
            pass
        up.close()
        self.close_connection = True

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path.rstrip("/") == "/federation":
            return self.federation(urllib.parse.parse_qs(u.query))
        return self.forward(b"")

    def federation(self, q):
        action = q.get("Action", [""])[0]
        entry = {"federation": action, "params": {k: v[0] for k, v in q.items()
                                                   if k != "Session"}}
        if action != "getSigninToken":
            log(entry)
            return self.reply(400, "unknown action", "text/plain")
        try:
            sess = json.loads(q["Session"][0])
            sid, key, tok = sess["sessionId"], sess["sessionKey"], sess["sessionToken"]
        except (KeyError, ValueError):
            entry["ok"] = False
            log(entry)
            return self.reply(400, "bad Session", "text/plain")
        known = STATE["sessions"].get(sid)
        entry["session_id"] = sid
        entry["ok"] = known is not None and known == (key, tok)
        if not entry["ok"]:
            log(entry)
            return self.reply(400, "unknown session", "text/plain")
        token = "tok-" + secrets.token_hex(24)
        entry["signin_token"] = token
        log(entry)
        return self.reply(200, json.dumps({"SigninToken": token}), "application/json")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.forward(self.rfile.read(n))

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.forward(self.rfile.read(n))

    def forward(self, body):
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        url = "%s://%s%s" % (scheme, self.headers.get("Host"), self.path)
        params = {}
        if body and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            params = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        action = params.get("Action", "%s %s" % (self.command, self.path))
        akid, sig = check_sig(self.command, url, self.headers, body)
        entry = {"action": action, "akid": akid, "sig": sig,
                 "token": "X-Amz-Security-Token" in self.headers,
                 "params": {k: v for k, v in params.items() if k not in ("Action", "Version")},
                 "host": self.headers.get("Host")}
        rule = matching_rule(action, params, akid)
        if rule is not None and "fail" in rule:
            f = rule["fail"]
            entry.update(status=f.get("status", 500), injected=True)
            log(entry)
            return self.reply(f.get("status", 500),
                              '<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code>'
                              '<Message>%s</Message></Error><RequestId>x</RequestId>'
                              '</ErrorResponse>' % (f.get("code", "InjectedFailure"),
                                                    f.get("message", "injected by the test")))
        up = urllib.parse.urlsplit(STATE["upstream"])
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        text = data.decode(errors="replace")
        if resp.status == 200 and action in ("GetSessionToken", "AssumeRole",
                                             "GetFederationToken", "CreateAccessKey"):
            a, s = xml_text(text, "AccessKeyId"), xml_text(text, "SecretAccessKey")
            if a and s:
                learn(a, s, xml_text(text, "SessionToken"), action)
                entry["issued"] = a
        entry["status"] = resp.status
        log(entry)
        if rule is not None and "run" in rule:
            subprocess.run(rule["run"], shell=True, check=False)
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def make_cert(d):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sts.mfa.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("sts.mfa.test"), x509.DNSName("iam.mfa.test"),
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = os.path.join(d, "tls.pem")
    keyf = os.path.join(d, "tls.key")
    with open(pem, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(keyf, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return pem, keyf


def main():
    STATE["dir"], STATE["upstream"] = sys.argv[1], sys.argv[2]
    tls = "--tls" in sys.argv[3:]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if tls:
        pem, keyf = make_cert(STATE["dir"])
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pem, keyf)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    name = "tls.port" if tls else "proxy.port"
    tmp = os.path.join(STATE["dir"], name + ".tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(STATE["dir"], name))
    srv.serve_forever()


if __name__ == "__main__":
    main()
