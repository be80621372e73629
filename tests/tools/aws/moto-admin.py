"""Set-up and inspection for tests/bats/aws_keys.bats, straight against
moto_server with boto3 (the `python3` on PATH has it; one process does in
a fraction of a second what several AWS CLI runs would take seconds for).
It signs as moto's default account ("testing" keys), never with the keys
mfa keeps.

Usage: moto-admin.py ENDPOINT COMMAND ARGS
  user NAME       an IAM user with one access key and an enabled virtual
                  MFA device: prints {"akid", "secret", "serial", "seed"}
  key NAME        one more access key: prints {"akid", "secret"}
  keys NAME       the user's access key ids, one a line
  bucket NAME     an S3 bucket
"""
import base64
import json
import sys

import boto3


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def main():
    endpoint, cmd, name = sys.argv[1], sys.argv[2], sys.argv[3]
    iam = client(endpoint, "iam")
    if cmd == "user":
        iam.create_user(UserName=name)
        k = iam.create_access_key(UserName=name)["AccessKey"]
        dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        seed = dev["Base32StringSeed"]
        seed = seed.decode() if isinstance(seed, bytes) else base64.b64decode(seed).decode()
        # moto takes any codes here; the codes that matter are checked
        # later, with pyotp, against this seed.
        iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
        print(json.dumps({"akid": k["AccessKeyId"], "secret": k["SecretAccessKey"],
                          "serial": dev["SerialNumber"], "seed": seed}))
    elif cmd == "key":
        k = iam.create_access_key(UserName=name)["AccessKey"]
        print(json.dumps({"akid": k["AccessKeyId"], "secret": k["SecretAccessKey"]}))
    elif cmd == "keys":
        for m in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            print(m["AccessKeyId"])
    elif cmd == "bucket":
        client(endpoint, "s3").create_bucket(Bucket=name)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
