#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

The seeds are listed in seeds.toml (which says what each field means);
requests in text format are serialized with protoc --encode. Re-run after
changing the seeds: /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import codecs
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOOGLEAPIS = "/usr/share/gocode/src/github.com/gogo/googleapis"

RPCS = ["GetCustomer", "OnboardCustomer", "VerifyCustomerOtp", "GetSender", "OnboardSender",
        "StartSenderEkyc", "ValidateEkycOtp"]


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def joined(value):
    """A string given whole or as a list of its parts."""
    return value if isinstance(value, str) else "".join(value)


def request_header(seed):
    """The RPC and flags bytes that start a fuzz_validation input."""
    return bytes([RPCS.index(seed["rpc"]), seed["flags"]])


def encode(message, text):
    return subprocess.run(
        ["protoc", "-I" + os.path.join(ROOT, "proto"), "-I" + GOOGLEAPIS,
         "--encode=eko.onboarding.v1." + message, "eko/onboarding/v1/onboarding_service.proto"],
        input=text.encode(), stdout=subprocess.PIPE, check=True).stdout


def main():
    with open(os.path.join(HERE, "seeds.toml"), "rb") as f:
        seeds = tomllib.load(f)
    for seed in seeds["envelope"]:
        body = joined(seed["body"]).encode()
        if seed.get("escapes", False):
            body = codecs.escape_decode(body)[0]
        header = bytes([RPCS.index(seed["rpc"]), seed.get("http", 0), seed.get("flags", 0)])
        write("fuzz_envelope", seed["name"], header + body)
    for seed in seeds["text_request"]:
        data = b"\xff".join(b"\xfe".join(line.encode() for line in f) if isinstance(f, list)
                            else f.encode() for f in seed["fields"])
        write("fuzz_validation", seed["name"], request_header(seed) + data)
    for seed in seeds["proto_request"]:
        data = encode(seed["rpc"] + "Request", joined(seed["text"]))
        write("fuzz_validation", seed["name"], request_header(seed) + data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
