#!/usr/bin/python3
"""A stand-in for the IAM and STS calls mfa makes, strict where moto is not.

moto accepts any MFA code. This server checks them the way AWS does, with
Debian's python3-pyotp (an implementation independent of mfa's): a code is
valid for the step before, the current and the next one (valid_window=1),
and a (device, step) pair is accepted once only: a reused code is refused.
It speaks the AWS query protocol (form-encoded POST, XML answers) that the
real AWS CLI uses for IAM and STS.

Credentials it knows: access key "testing" is IAM user alice; "role-testing"
is an assumed role (no IAM user); session credentials it issued work until
they expire; anything else is refused as AWS refuses unknown keys.

Credentials that came with a valid MFA code (GetSessionToken or AssumeRole
with one) are MFA-authenticated, as AWS's aws:MultiFactorAuthPresent says:
with them AssumeRole needs no code of its own (the role's trust policy asks
for MFA, which they carry), and they alone may list S3 buckets (GET /, as
`aws s3 ls` does: a bucket policy that requires MFA).

Usage: standin.py STATE_DIR. Writes STATE_DIR/standin.port once listening
and appends one JSON line per request to STATE_DIR/standin.log.
Run with /usr/bin/python3 (Debian's, which has python3-pyotp).
"""
import base64
import datetime
import json
import os
import re
import secrets
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pyotp

ACCOUNT = "123456789012"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
STS_ACTIONS = {"GetSessionToken", "AssumeRole", "GetCallerIdentity"}
MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code."

STATE = {
    "users": {"alice", "bob"},
    # access key id -> identity
    "keys": {
        "testing": {"kind": "user", "user": "alice", "secret": None, "token": None, "expires": None},
        "role-testing": {"kind": "role", "role": "Admin", "session": "sso", "secret": None,
                          "token": None, "expires": None},
    },
    # serial -> {"seed", "enabled", "user"}
    "devices": {},
    # (serial, step) pairs AWS has seen
    "used": set(),
}


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def xml_of(value):
    if isinstance(value, dict):
        return "".join("<%s>%s</%s>" % (k, xml_of(v), k) for k, v in value.items())
    return esc(value)


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def step_now():
    return int(time.time()) // 30


def match_step(seed, code, steps):
    """The step among `steps` whose code is `code`, or None (pyotp decides)."""
    totp = pyotp.TOTP(seed)
    for s in steps:
        if totp.at(s * 30) == code:
            return s
    return None


def check_mfa(serial, code, caller_user, log):
    dev = STATE["devices"].get(serial)
    if dev is None or not dev["enabled"] or dev["user"] != caller_user:
        log["mfa"] = "device not enabled for this user"
        raise ApiError(403, "AccessDenied", MFA_FAILED)
    now = step_now()
    # valid_window=1, as pyotp.TOTP.verify(code, valid_window=1) accepts.
    s = match_step(dev["seed"], code, [now - 1, now, now + 1])
    if s is None or not pyotp.TOTP(dev["seed"]).verify(code, valid_window=1):
        log["mfa"] = "invalid code"
        raise ApiError(403, "AccessDenied", MFA_FAILED)
    log["steps"] = [s]
    if (serial, s) in STATE["used"]:
        log["mfa"] = "reused step %d" % s
        raise ApiError(403, "AccessDenied", MFA_FAILED)
    STATE["used"].add((serial, s))
    log["mfa"] = "ok"


def issue(kind, duration, **who):
    akid = "ASIA" + secrets.token_hex(8).upper()
    cred = {
        "kind": kind,
        "secret": base64.b64encode(secrets.token_bytes(30)).decode(),
        "token": "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(120)).decode(),
        "expires": int(time.time()) + duration,
    }
    cred.update(who)
    STATE["keys"][akid] = cred
    return {
        "AccessKeyId": akid,
        "SecretAccessKey": cred["secret"],
        "SessionToken": cred["token"],
        "Expiration": iso(cred["expires"]),
    }


def caller(headers):
    auth = headers.get("Authorization", "")
    m = re.search(r"Credential=([^/,\s]+)/", auth)
    akid = m.group(1) if m else None
    ident = STATE["keys"].get(akid)
    if ident is None:
        raise ApiError(403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if ident["token"] is not None:
        if headers.get("X-Amz-Security-Token") != ident["token"]:
            raise ApiError(403, "InvalidClientTokenId",
                           "The security token included in the request is invalid.")
        if ident["expires"] < time.time():
            raise ApiError(403, "ExpiredToken", "The security token included in the request is expired")
    return akid, ident


def user_of(ident):
    return ident.get("user") if ident["kind"] in ("user", "session") else None


def act(action, p, headers, log):
    akid, ident = caller(headers)
    log["akid"] = akid
    if action == "GetCallerIdentity":
        if ident["kind"] == "role":
            arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, ident["role"], ident["session"])
        else:
            arn = "arn:aws:iam::%s:user/%s" % (ACCOUNT, ident["user"])
        return {"UserId": "AIDASTANDIN" + akid[-6:], "Account": ACCOUNT, "Arn": arn}
    if action == "GetUser":
        name = p.get("UserName") or user_of(ident)
        if name is None:
            raise ApiError(400, "ValidationError",
                           "Must specify userName when calling with non-User credentials")
        if name not in STATE["users"]:
            raise ApiError(404, "NoSuchEntity", "The user with name %s cannot be found." % name)
        return {"User": {"Path": "/", "UserName": name, "UserId": "AIDA" + name.upper(),
                         "Arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, name),
                         "CreateDate": "2020-01-01T00:00:00Z"}}
    if action == "CreateVirtualMFADevice":
        name = p["VirtualMFADeviceName"]
        serial = "arn:aws:iam::%s:mfa%s%s" % (ACCOUNT, p.get("Path", "/"), name)
        if serial in STATE["devices"]:
            raise ApiError(409, "EntityAlreadyExists",
                           "MFADevice entity at the same path and name already exists.")
        seed = pyotp.random_base32()
        STATE["devices"][serial] = {"seed": seed, "enabled": False, "user": None}
        log["serial"] = serial
        # On the wire the seed is base64 of its base32 text (a Blob).
        return {"VirtualMFADevice": {
            "SerialNumber": serial,
            "Base32StringSeed": base64.b64encode(seed.encode()).decode()}}
    if action == "EnableMFADevice":
        user, serial = p["UserName"], p["SerialNumber"]
        log["serial"] = serial
        if user not in STATE["users"]:
            raise ApiError(404, "NoSuchEntity", "The user with name %s cannot be found." % user)
        dev = STATE["devices"].get(serial)
        if dev is None:
            raise ApiError(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist." % serial)
        if dev["enabled"]:
            raise ApiError(409, "EntityAlreadyExists", "MFA Device is already in use.")
        now = step_now()
        c1, c2 = p["AuthenticationCode1"], p["AuthenticationCode2"]
        found = None
        # Two consecutive steps, the later one within a step of now.
        for s2 in (now - 1, now, now + 1):
            if match_step(dev["seed"], c1, [s2 - 1]) is not None and \
                    match_step(dev["seed"], c2, [s2]) is not None:
                found = s2 - 1
                break
        if found is None or (serial, found) in STATE["used"] or (serial, found + 1) in STATE["used"]:
            log["mfa"] = "invalid codes"
            raise ApiError(403, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
        STATE["used"].update({(serial, found), (serial, found + 1)})
        dev["enabled"], dev["user"] = True, user
        log["steps"], log["mfa"] = [found, found + 1], "ok"
        return None
    if action == "DeleteVirtualMFADevice":
        serial = p["SerialNumber"]
        log["serial"] = serial
        dev = STATE["devices"].get(serial)
        if dev is None:
            raise ApiError(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist." % serial)
        if dev["enabled"]:
            raise ApiError(409, "DeleteConflict", "MFA Device is still in use")
        del STATE["devices"][serial]
        return None
    if action == "ListVirtualMFADevices":
        members = "".join(
            "<member>%s</member>" % xml_of(dict(
                {"SerialNumber": s},
                **({"User": {"UserName": d["user"]}, "EnableDate": "2020-01-01T00:00:00Z"}
                   if d["enabled"] else {})))
            for s, d in STATE["devices"].items())
        return {"VirtualMFADevices": RawXml(members), "IsTruncated": "false"}
    if action == "GetSessionToken":
        if ident["kind"] != "user":
            raise ApiError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
        serial = p.get("SerialNumber")
        log["serial"] = serial
        if serial is not None:
            check_mfa(serial, p.get("TokenCode", ""), ident["user"], log)
        dur = int(p.get("DurationSeconds", "43200"))
        return {"Credentials": issue("session", dur, user=ident["user"],
                                     mfa=serial is not None)}
    if action == "AssumeRole":
        m = re.fullmatch(r"arn:aws:iam::(\d{12}):role/([\w+=,.@-]+)", p.get("RoleArn", ""))
        if m is None:
            raise ApiError(400, "ValidationError", "%s is invalid" % p.get("RoleArn"))
        session = p.get("RoleSessionName", "")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", session):
            raise ApiError(400, "ValidationError", "RoleSessionName %r is invalid" % session)
        serial = p.get("SerialNumber")
        log["serial"], log["role"], log["session"] = serial, p["RoleArn"], session
        if serial is not None:
            check_mfa(serial, p.get("TokenCode", ""), user_of(ident), log)
        elif not ident.get("mfa"):
            raise ApiError(403, "AccessDenied", "MultiFactorAuthentication required by the role's trust policy")
        dur = int(p.get("DurationSeconds", "3600"))
        creds = issue("role", dur, role=m.group(2), session=session, mfa=True)
        return {"Credentials": creds, "AssumedRoleUser": {
            "AssumedRoleId": "AROASTANDIN:" + session,
            "Arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (m.group(1), m.group(2), session)}}
    raise ApiError(400, "InvalidAction", "Could not find operation %s" % action)


class RawXml(str):
    pass


def render(value):
    if isinstance(value, RawXml):
        return str(value)
    if isinstance(value, dict):
        return "".join("<%s>%s</%s>" % (k, render(v), k) for k, v in value.items())
    return esc(value)


class Handler(BaseHTTPRequestHandler):
    log_path = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, log):
        with open(self.log_path, "a") as f:
            f.write(json.dumps(log) + "\n")
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        """S3 ListBuckets (GET /), for MFA-authenticated credentials only."""
        log = {"action": "S3:ListBuckets", "time": time.time()}
        try:
            if urllib.parse.urlsplit(self.path).path != "/":
                raise ApiError(404, "NoSuchBucket", "The specified bucket does not exist")
            akid, ident = caller(self.headers)
            log["akid"], log["mfa"] = akid, bool(ident.get("mfa"))
            if not ident.get("mfa"):
                raise ApiError(403, "AccessDenied", "Access Denied (MFA required)")
            body = ('<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                    '<Owner><ID>standin</ID><DisplayName>alice</DisplayName></Owner>'
                    '<Buckets><Bucket><Name>mfa-only</Name>'
                    '<CreationDate>2020-01-01T00:00:00.000Z</CreationDate></Bucket>'
                    '</Buckets></ListAllMyBucketsResult>')
            log["ok"] = True
            self.reply(200, body, log)
        except ApiError as e:
            log["ok"], log["error"] = False, e.code
            self.reply(e.status, "<Error><Code>%s</Code><Message>%s</Message></Error>" % (
                e.code, esc(e.message)), log)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        p = {k: v[-1] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode()).items()}
        action = p.get("Action", "")
        ns = STS_NS if action in STS_ACTIONS else IAM_NS
        log = {"action": action, "time": time.time()}
        rid = secrets.token_hex(8)
        try:
            result = act(action, p, self.headers, log)
            inner = "" if result is None else "<%sResult>%s</%sResult>" % (action, render(result), action)
            body = '<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s</RequestId>' \
                   '</ResponseMetadata></%sResponse>' % (action, ns, inner, rid, action)
            status = 200
            log["ok"] = True
        except ApiError as e:
            body = '<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>' \
                   '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>' % (
                       ns, e.code, esc(e.message), rid)
            status = e.status
            log["ok"], log["error"] = False, e.code
        except KeyError as e:
            body = '<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>MissingParameter</Code>' \
                   '<Message>missing %s</Message></Error><RequestId>%s</RequestId></ErrorResponse>' % (
                       ns, esc(e), rid)
            status = 400
            log["ok"], log["error"] = False, "MissingParameter"
        with open(self.log_path, "a") as f:
            f.write(json.dumps(log) + "\n")
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    state = sys.argv[1]
    Handler.log_path = os.path.join(state, "standin.log")
    srv = HTTPServer(("127.0.0.1", 0), Handler)
    tmp = os.path.join(state, "standin.port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(state, "standin.port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
