#!/usr/bin/env python3
"""Runs the shell commands of Markdown files against eko-gateway-dev --dev.

Usage:
  docs_commands.py --check FILE...            extract and check only (no gateway)
  docs_commands.py --gateway BIN --cli BIN --repo DIR FILE...

What counts as a command: every fenced block whose info string is `sh`. Other
listings carry another info string (text, json, yaml, go, ...); an unlabelled
fence, or one labelled bash/shell/console/zsh, is an error, so a command block
cannot be left out by accident. A block that must not run in this test has a
marker on the line right before its fence:

  <!-- docs-commands: skip REASON: why -->
  <!-- docs-commands: expect-fail: why -->   must exit non-zero
  <!-- docs-commands: shows-error: why -->   shows a failing call and what is
      printed for it: runs without `-e`, its last command must exit 0 and its
      output must carry an error line

REASON is one of REASONS below; anything else, a marker without a reason text,
or a marker not followed by an `sh` fence is an error. So is an `sh` block
that `bash -n` rejects, or an unterminated fence. Every error names file:line.

How blocks run: one eko-gateway-dev --dev on free loopback ports (gRPC and
its embedded simulator) serves every block. Blocks run in file order, each as
`bash -euo pipefail` with stdin from /dev/null, a timeout, and a controlled
environment: PATH starts with eko-cli, eko-gateway-dev and eko-gateway, HOME is
a scratch folder, EKO_GATEWAY_ADDR names the gateway (eko-cli's default
target). The working directory is a scratch folder whose entries link to the
repository's top-level entries, except build/, which holds the binaries under
test (build/client/eko-cli, build/server/eko-gateway-dev, ...): writes go to
the scratch folder. Shell variables and exports a block sets carry over to
later blocks, in the order the files are given, as in a reader's shell. The
docs' default addresses are rewritten to the test gateway's: 127.0.0.1:50051
and localhost:50051 (gRPC), 127.0.0.1:8090 (simulator). Each block starts on
the simulator's seeded state (reset before it). A block fails when it exits
non-zero, times out, or prints an error line (ERROR_LINE); the report names
the block's file:line and the failing command's line. tools/buf is installed
(npm ci) first when a block calls buf and it is missing.

Exit status: 0 when every block passed, 1 otherwise. The last line is
`docs-commands: N passed, N failed, N skipped`.
"""

import argparse
import dataclasses
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

REASONS = {
    "cluster": "needs a Kubernetes cluster",
    "docker": "needs a Docker daemon",
    "credentials": "needs real Eko credentials or secrets",
    "ci-runs-it": "CI runs it as a stage of its own (setup, build, every test, "
                  "the demo); running it inside ctest would recurse",
    "runner-does-it": "this runner does it before the blocks run (starts the "
                      "dev gateway, installs tools/buf)",
    "slow": "takes minutes (e.g. rebuilds the project): too slow for this test",
    "placeholder": "holds values the reader substitutes (a reference from an "
                   "earlier answer, a host name, a file of their own)",
}

MARKER_RE = re.compile(r"^<!--\s*docs-commands:\s*(?P<body>.*?)\s*-->$")
SKIP_RE = re.compile(r"^skip\s+(?P<reason>[A-Za-z-]+):\s*(?P<why>\S.*)$")
EXPECT_RE = re.compile(r"^(?P<kind>expect-fail|shows-error):\s*(?P<why>\S.*)$")
MARKER_LIKE_RE = re.compile(r"^\s*<!--.*docs[-_ ]?commands?", re.IGNORECASE)
FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
SHELL_ALIASES = {"bash", "shell", "console", "zsh", "shell-session", "terminal"}
ERROR_LINE = re.compile(
    r"(^|[\s:])(error|Error|ERROR)s?:|\bERROR\b|command not found|"
    r"No such file or directory|^Failure:|Traceback \(most recent call last\)")
ADDRESS_REWRITES = ("127.0.0.1:50051", "localhost:50051")
SIM_ADDRESS = "127.0.0.1:8090"


@dataclasses.dataclass
class Block:
    path: str
    line: int  # line of the opening fence, 1-based
    text: str
    mode: str  # run, skip, expect-fail, shows-error
    why: str = ""


def extract(path):
    """Returns (blocks, errors) of one Markdown file; errors are strings."""
    blocks, errors = [], []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    marker = None  # (line, mode, why)
    fence = None  # (line, char, length, indent, lang, marker)
    body = []
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if fence is not None:
            m = FENCE_RE.match(line)
            if (m and m.group("fence")[0] == fence[1]
                    and len(m.group("fence")) >= fence[2]
                    and not m.group("info").strip()):
                start, _, _, _, lang, block_marker = fence
                if lang == "sh":
                    mode, why = ("run", "")
                    if block_marker:
                        _, mode, why = block_marker
                    text = "\n".join(body) + "\n"
                    problem = syntax_error(text)
                    if problem:
                        errors.append(f"{path}:{start}: sh block bash cannot parse: {problem}")
                    blocks.append(Block(path, start, text, mode, why))
                fence, body = None, []
            else:
                body.append(line[min(fence[3], len(line) - len(line.lstrip(" "))):])
            continue
        if marker is not None:
            m = FENCE_RE.match(line)
            info = m.group("info").strip() if m else ""
            if not m or not info or info.split()[0] != "sh":
                errors.append(f"{path}:{marker[0]}: docs-commands marker must be "
                              "followed directly by an ```sh fence")
                marker = None
        if MARKER_LIKE_RE.search(line):
            parsed = parse_marker(line.strip())
            if isinstance(parsed, str):
                errors.append(f"{where}: {parsed}")
            else:
                marker = (number, *parsed)
            continue
        m = FENCE_RE.match(line)
        if not m or (m.group("fence")[0] == "`" and "`" in m.group("info")):
            continue
        info = m.group("info").strip()
        lang = info.split()[0] if info else ""
        if not lang:
            errors.append(f"{where}: unlabelled code fence: label commands to run "
                          "```sh and other listings ```text, ```json, ...")
        elif lang in SHELL_ALIASES:
            errors.append(f"{where}: code fence labelled {lang}: label commands "
                          "to run ```sh (and mark them if they must not run)")
        fence = (number, m.group("fence")[0], len(m.group("fence")),
                 len(m.group("indent")), lang, marker)
        marker = None
    if fence is not None:
        errors.append(f"{path}:{fence[0]}: code fence never closed")
    if marker is not None:
        errors.append(f"{path}:{marker[0]}: docs-commands marker at the end of the file")
    return blocks, errors


def parse_marker(line):
    """Returns (mode, why) or an error message."""
    m = MARKER_RE.match(line)
    if not m:
        return ("malformed docs-commands marker: write it alone on its line as "
                "<!-- docs-commands: skip REASON: why -->, <!-- docs-commands: "
                "expect-fail: why --> or <!-- docs-commands: shows-error: why -->")
    body = m.group("body")
    skip = SKIP_RE.match(body)
    if skip:
        if skip.group("reason") not in REASONS:
            return (f"unknown docs-commands skip reason '{skip.group('reason')}' "
                    f"(one of: {', '.join(sorted(REASONS))})")
        return ("skip", f"{skip.group('reason')}: {skip.group('why')}")
    expect = EXPECT_RE.match(body)
    if expect:
        return (expect.group("kind"), expect.group("why"))
    return (f"malformed docs-commands marker '{body}': expected 'skip REASON: why' "
            f"(REASON one of: {', '.join(sorted(REASONS))}), 'expect-fail: why' "
            "or 'shows-error: why'")


def syntax_error(text):
    result = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
    return result.stderr.strip().replace("\n", " / ") if result.returncode else ""


class Gateway:
    """eko-gateway-dev --dev on free loopback ports."""

    def __init__(self, binary, scratch, env):
        self.out_path = os.path.join(scratch, "gateway.out")
        self.err_path = os.path.join(scratch, "gateway.err")
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.process = subprocess.Popen(
                [binary, "--dev", "--listen", "127.0.0.1:0",
                 "--dev-simulator-listen", "127.0.0.1:0"],
                stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        self.port = self.admin = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            with open(self.out_path) as f:
                for line in f:
                    if line.startswith("eko-gateway listening on port "):
                        self.port = int(line.split()[-1])
                    elif line.startswith("eko-gateway simulator on "):
                        self.admin = line.split()[-1]
            if self.port and self.admin:
                return
            time.sleep(0.1)
        self.stop()
        with open(self.err_path) as f:
            raise RuntimeError("eko-gateway-dev did not start:\n" + f.read()[-4000:])

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    @property
    def sim_address(self):
        return self.admin.split("//", 1)[1].split("/", 1)[0]

    def reset_simulator(self):
        request = urllib.request.Request(self.admin + "/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def make_workdir(scratch, repo, binaries):
    """A folder linking to the repository's entries, with build/ of the binaries."""
    work = os.path.join(scratch, "work")
    os.makedirs(work)
    for entry in os.listdir(repo):
        if entry == ".git" or entry.startswith("build"):
            continue
        os.symlink(os.path.join(repo, entry), os.path.join(work, entry))
    for relative, target in binaries.items():
        os.makedirs(os.path.dirname(os.path.join(work, relative)), exist_ok=True)
        os.symlink(target, os.path.join(work, relative))
    return work


def ensure_buf(repo):
    """npm ci in tools/buf unless done; a lock keeps parallel tests from racing."""
    installed = os.path.join(repo, "tools/buf/node_modules/@bufbuild")
    if os.path.isdir(installed):
        return
    with open(os.path.join(tempfile.gettempdir(), "eko-docs-commands-npm.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isdir(installed):
            return
        print("docs-commands: npm ci in tools/buf (the README's buf commands need it)",
              flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=os.path.join(repo, "tools/buf"), check=True)


def rewrite(text, gateway):
    for address in ADDRESS_REWRITES:
        text = text.replace(address, gateway.address)
    return text.replace(SIM_ADDRESS, gateway.sim_address)


# Sources the variables earlier blocks left and saves this block's at exit:
# every exported one, and the shell variables it set (those a fresh bash does
# not have).
STATE_PROLOGUE = r"""__docs_baseline=" $(compgen -v | tr '\n' ' ') "
source "$DOCS_COMMANDS_STATE"
__docs_save() {
  {
    export -p
    for __docs_v in $(compgen -v); do
      case "$__docs_baseline" in *" $__docs_v "*) continue ;; esac
      case "$__docs_v" in __docs_*) continue ;; esac
      declare -p "$__docs_v" 2>/dev/null || true
    done
  } > "$DOCS_COMMANDS_STATE"
}
trap __docs_save EXIT
trap 'echo "docs-commands-failed-at $LINENO" >&2' ERR
"""


def run_block(block, gateway, work, env, state, timeout, verbose):
    """Returns an error message, or "" when the block passed."""
    script = os.path.join(os.path.dirname(state), f"block-{os.getpid()}.sh")
    with open(script, "w") as f:
        f.write(STATE_PROLOGUE)
        f.write(rewrite(block.text, gateway))
    options = "-uo" if block.mode == "shows-error" else "-euo"
    try:
        result = subprocess.run(["bash", options, "pipefail", script], cwd=work, env=env,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(
            errors="replace")
        return f"timed out after {timeout} s\n{output}"
    failed_at = re.findall(r"^docs-commands-failed-at (\d+)$", result.stderr, re.M)
    command_at = ""
    if failed_at:
        # The prologue's lines come before the block's; the block starts on
        # the line after its fence.
        line = block.line + int(failed_at[-1]) - STATE_PROLOGUE.count("\n")
        command_at = f" (the command at {block.path}:{line})"
    output = result.stdout + result.stderr
    if verbose:
        print(f"--- {block.path}:{block.line} output\n{output}", end="", flush=True)
    error_lines = [l for l in output.splitlines() if ERROR_LINE.search(l)]
    shown = f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    if block.mode == "expect-fail":
        return "" if result.returncode != 0 else f"expected a non-zero exit, got 0\n{shown}"
    if result.returncode != 0:
        return f"exit status {result.returncode}{command_at}\n{shown}"
    if block.mode == "shows-error":
        return "" if error_lines else f"expected an error line in the output\n{shown}"
    if error_lines:
        return f"printed an error: {error_lines[0]}\n{shown}"
    return ""


def run_all(args, blocks):
    scratch = tempfile.mkdtemp(prefix="docs-commands.")
    passed = failed = skipped = 0
    gateway = None
    try:
        bindir = os.path.join(scratch, "bin")
        os.makedirs(bindir)
        binaries = {"build/client/eko-cli": args.cli,
                    "build/server/eko-gateway-dev": args.gateway}
        if args.production_gateway:
            binaries["build/server/eko-gateway"] = args.production_gateway
        for relative, target in binaries.items():
            os.symlink(target, os.path.join(bindir, os.path.basename(relative)))
        home = os.path.join(scratch, "home")
        os.makedirs(home)
        env = {
            "PATH": bindir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": home, "LANG": "C.UTF-8", "TERM": "dumb", "TMPDIR": scratch,
        }
        # Under scripts/ci-sanitize.sh the binaries write their reports where it looks.
        env.update({k: v for k, v in os.environ.items()
                    if k.endswith("SAN_OPTIONS") or k == "ASAN_SYMBOLIZER_PATH"})
        if any(re.search(r"(^|[\s;(|&])buf\s", b.text) for b in blocks if b.mode != "skip"):
            ensure_buf(args.repo)
        gateway = Gateway(args.gateway, scratch, env)
        print(f"docs-commands: gateway on {gateway.address}, simulator {gateway.admin}",
              flush=True)
        env["EKO_GATEWAY_ADDR"] = gateway.address
        state = os.path.join(scratch, "exports.sh")
        env["DOCS_COMMANDS_STATE"] = state
        open(state, "w").close()
        work = make_workdir(scratch, args.repo, binaries)
        for block in blocks:
            where = f"{block.path}:{block.line}"
            if block.mode == "skip":
                skipped += 1
                print(f"SKIP {where} ({block.why})", flush=True)
                continue
            gateway.reset_simulator()
            start = time.monotonic()
            problem = run_block(block, gateway, work, env, state, args.timeout, args.verbose)
            took = time.monotonic() - start
            if problem:
                failed += 1
                print(f"FAIL {where} ({took:.1f} s): {problem}", flush=True)
                if gateway.process.poll() is not None:
                    with open(gateway.err_path) as f:
                        print(f"the gateway exited ({gateway.process.returncode}):\n"
                              + f.read()[-4000:], flush=True)
            else:
                passed += 1
                mode = "" if block.mode == "run" else f" {block.mode}"
                print(f"ok   {where} ({took:.1f} s){mode}", flush=True)
    finally:
        if gateway:
            gateway.stop()
        if args.keep:
            print(f"docs-commands: scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"docs-commands: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--check", action="store_true", help="extract and check only")
    parser.add_argument("--gateway", help="eko-gateway-dev binary")
    parser.add_argument("--production-gateway", help="eko-gateway binary (optional)")
    parser.add_argument("--cli", help="eko-cli binary")
    parser.add_argument("--repo", help="repository root")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per block")
    parser.add_argument("--verbose", action="store_true", help="print every block's output")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    blocks, errors = [], []
    for path in args.files:
        file_blocks, file_errors = extract(path)
        blocks += file_blocks
        errors += file_errors
    for error in errors:
        print(f"ERROR {error}", flush=True)
    if errors:
        print(f"docs-commands: 0 passed, {len(errors)} failed, 0 skipped")
        return 1
    if args.check:
        for block in blocks:
            print(f"{block.path}:{block.line}: {block.mode} {block.why}".rstrip())
        return 0
    if not (args.gateway and args.cli and args.repo):
        parser.error("--gateway, --cli and --repo are needed to run the blocks")
    for name in ("gateway", "cli", "production_gateway", "repo"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    return run_all(args, blocks)


if __name__ == "__main__":
    sys.exit(main())
