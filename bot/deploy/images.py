"""Container images built from this repository alone (``make images``; docs/deployment.md).

    python -m bot.deploy.images build       # every image that is missing; prints what each weighs
    python -m bot.deploy.images list        # the tags the manifests will use (build/images/images.json)

No image comes from a registry. The chain:

- ``base``: Debian bookworm ``minbase`` made by ``debootstrap`` from the machine's own Debian mirror
  (read from its apt sources, never written in the repository), imported with ``podman import``;
- ``python``: the base plus CPython 3.10 copied from the interpreter the venv was made with (Debian
  bookworm ships 3.11 only; Rasa 3.6 needs 3.10);
- ``rasa``: the Python layer, a venv with the packages in ``deploy/images/rasa.txt`` (every version
  from ``constraints.txt``), installed from wheels built here, the application and the trained model;
- ``app``: the same without Rasa, TensorFlow and spaCy (``deploy/images/app.txt``): the action
  server, the staff app, the migration Job and the purge CronJob run it with their own commands;
- ``postgres``, ``redis``, ``frontdoor``: the base plus Debian's packages and a start script
  (``deploy/images/entry/``), for trying the whole product in one place.

Every tag is the hash of what went into the image (its Containerfile, its parent's tag, its
packages, its files), so the same tree gives the same tags and a change rebuilds only what it
touches. Nothing runs at import.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.settings import ROOT

HERE = Path(ROOT) / "deploy" / "images"
WORK = Path(ROOT) / "build" / "images"
REGISTRY = "localhost/zhicheng"
SUITE = "bookworm"
# What the Python images need beside minbase: TLS roots and the shared libraries CPython's modules
# and the wheels (numpy, TensorFlow, psycopg2's own copy aside) link against.
BASE_PACKAGES = (
    "ca-certificates",
    "libssl3",
    "libffi8",
    "libsqlite3-0",
    "libbz2-1.0",
    "liblzma5",
    "zlib1g",
    "libreadline8",
    "libncursesw6",
    "libuuid1",
    "libgdbm6",
    "libexpat1",
    "libstdc++6",
    "libgomp1",
)
SERVICES: Dict[str, Tuple[str, ...]] = {
    "postgres": ("postgresql-15", "postgresql-client-15"),
    "redis": ("redis-server",),
    "frontdoor": ("nginx-light",),
}
# The application's files in the images: the code and data the services read at run time (no
# tests, docs, benchmarks or training data), plus what make setup generates for the model.
APP_TRACKED = (
    "bot",
    "actions",
    "policies",
    "migrations",
    "alembic.ini",
    "endpoints.yml",
    "endpoints.scaled.yml",
    "credentials.yml",
    "pyproject.toml",
)
APP_GENERATED = ("build/jieba", "build/spacy_zh", "widget/dist")
MODEL = "models/assistant.tar.gz"
# Required by TensorFlow 2.12's package metadata, never imported when Rasa runs (TF Lite tries jax
# inside a try; libclang is for TensorFlow's own code generation): 350 MB out of the Rasa image.
RASA_DROP = ("jax", "jaxlib", "libclang")
# Left out of the interpreter: its own test suite, IDLE, tkinter, the turtle demos, and anything
# installed into the building machine's site-packages (the venv has its own).
PYTHON_SKIP = re.compile(r"^lib/python3\.10/(test|idlelib|tkinter|turtledemo|lib2to3/tests|site-packages/.+)(/|$)")


@dataclass(frozen=True)
class Built:
    name: str
    ref: str
    size_mb: float
    built: bool


def use_project_containers_conf() -> None:
    """podman reads build/k8s/containers.conf (written by make images: ulimits this machine allows,
    runc) unless CONTAINERS_CONF says otherwise."""
    conf = Path(ROOT) / "build" / "k8s" / "containers.conf"
    if conf.is_file():
        os.environ.setdefault("CONTAINERS_CONF", str(conf))


def run(cmd: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), check=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def podman(*args: str, check: bool = True) -> str:
    """Run podman; its output. A failure raises with the end of podman's own message."""
    out = subprocess.run(["podman", *args], capture_output=True, text=True)
    if check and out.returncode:
        raise RuntimeError(f"podman {' '.join(args[:3])} …: {out.stderr.strip()[-1500:]}")
    return out.stdout.strip()


def succeeds(*args: str) -> bool:
    """Whether a podman question (``image exists``, ``volume exists`` …) is answered yes."""
    return subprocess.run(["podman", *args], capture_output=True).returncode == 0


def exists(ref: str) -> bool:
    return succeeds("image", "exists", ref)


def digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            if part.is_dir():
                for f in sorted(p for p in part.rglob("*") if p.is_file()):
                    h.update(str(f.relative_to(part)).encode())
                    h.update(f.read_bytes())
            else:
                h.update(part.read_bytes())
        else:
            h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:12]


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (deb822 or one-line sources)."""
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources")) + [Path("/etc/apt/sources.list")]
    for src in sources:
        if not src.is_file():
            continue
        text = src.read_text()
        for block in re.split(r"\n\s*\n", text):
            if re.search(rf"^Suites:.*\b{SUITE}\b", block, re.M) and "security" not in block.split("URIs:")[-1][:80]:
                found = re.search(r"^URIs:\s*(\S+)", block, re.M)
                if found:
                    return found.group(1)
        found = re.search(rf"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+{SUITE}\s", text, re.M)
        if found:
            return found.group(1)
    raise RuntimeError("no Debian bookworm mirror in /etc/apt/sources.list(.d): debootstrap needs one")


def python_home() -> Path:
    """The prefix of the interpreter to copy (the one running this: make's venv is made from it)."""
    return Path(sys.base_prefix)


def tracked(paths: Iterable[str]) -> List[str]:
    # Tracked files and new ones not yet added (not the ignored: caches, venv, var/).
    out = run(
        ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths],
        stdout=subprocess.PIPE,
    ).stdout
    return [p for p in out.split("\0") if p and (Path(ROOT) / p).is_file()]


def copy_tree(src: Path, dst: Path, skip: Optional[re.Pattern[str]] = None) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if skip and skip.search(rel):
            continue
        if "__pycache__" in path.parts:
            continue
        target = dst / rel
        if path.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(path), target)
        elif path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def size_mb(ref: str) -> float:
    return round(int(podman("image", "inspect", "--format", "{{.Size}}", ref)) / 1e6, 1)


# --- the images -----------------------------------------------------------------------------------
def build_base() -> Tuple[str, bool]:
    tag = digest("base", SUITE, BASE_PACKAGES, 1)
    ref = f"{REGISTRY}/base:{tag}"
    if exists(ref):
        return ref, False
    rootfs = WORK / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    rootfs.mkdir(parents=True)
    try:
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                SUITE,
                str(rootfs),
                debian_mirror(),
            ],
            stdout=subprocess.DEVNULL,
        )
        # apt's lists and caches, man pages and translations: not needed to run anything.
        for junk in (
            "var/cache/apt/archives",
            "var/lib/apt/lists",
            "usr/share/man",
            "usr/share/doc",
            "usr/share/locale",
            "usr/share/info",
        ):
            shutil.rmtree(rootfs / junk, ignore_errors=True)
            (rootfs / junk).mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        run(
            [
                "podman",
                "import",
                "--quiet",
                "--change",
                "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "--change",
                "ENV LANG=C.UTF-8",
                "-",
                ref,
            ],
            stdin=tar.stdout,
            stdout=subprocess.DEVNULL,
        )
        if tar.wait():
            raise RuntimeError("tar of the debootstrap tree failed")
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    return ref, True


def build_context(name: str, files: Dict[str, Path]) -> Path:
    ctx = WORK / "ctx" / name
    shutil.rmtree(ctx, ignore_errors=True)
    ctx.mkdir(parents=True)
    for rel, src in files.items():
        dst = ctx / rel
        if src.is_dir():
            copy_tree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return ctx


def podman_build(ref: str, containerfile: str, ctx: Path, args: Dict[str, str], extra: Sequence[str] = ()) -> None:
    cmd = ["podman", "build", "--quiet", "--layers=false", "-f", str(HERE / containerfile), "-t", ref, *extra]
    for key, value in args.items():
        cmd += ["--build-arg", f"{key}={value}"]
    run([*cmd, str(ctx)], stdout=subprocess.DEVNULL)


def build_python(base: str) -> Tuple[str, bool]:
    home = python_home()
    tag = digest("python", base, sys.version, HERE / "python.Containerfile")
    ref = f"{REGISTRY}/python:{tag}"
    if exists(ref):
        return ref, False
    ctx = WORK / "ctx" / "python"
    shutil.rmtree(ctx, ignore_errors=True)
    copy_tree(home, ctx / "python", PYTHON_SKIP)
    podman_build(ref, "python.Containerfile", ctx, {"BASE": base}, ["--network", "none"])
    shutil.rmtree(ctx, ignore_errors=True)
    return ref, True


def wheels() -> Path:
    """Wheels of every package the two venvs install, built with the venv's pip on this machine
    (its cache makes a second run quick); the container builds install from them with no index."""
    out = WORK / "wheels"
    reqs = [HERE / "rasa.txt", HERE / "app.txt", Path(ROOT) / "constraints.txt"]
    stamp = out / ".stamp"
    want = digest("wheels", *reqs)
    if stamp.is_file() and stamp.read_text() == want:
        return out
    out.mkdir(parents=True, exist_ok=True)
    pip = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--disable-pip-version-check",
        "-w",
        str(out),
        "-c",
        str(Path(ROOT) / "constraints.txt"),
    ]
    run([*pip, "-r", str(HERE / "rasa.txt"), "-r", str(HERE / "app.txt")])
    for req in reqs:
        shutil.copy2(req, out / req.name)
    stamp.write_text(want)
    return out


def app_files(with_model: bool) -> Dict[str, Path]:
    files = {f"app/{p}": Path(ROOT) / p for p in tracked(APP_TRACKED)}
    for gen in APP_GENERATED + ((MODEL,) if with_model else ()):
        src = Path(ROOT) / gen
        if not src.exists():
            raise RuntimeError(f"{gen} is missing: run make setup first")
        files[f"app/{gen}"] = src
    return files


def build_venv_image(
    name: str, python: str, requirements: str, with_model: bool, drop: Sequence[str] = ()
) -> Tuple[str, bool]:
    files = app_files(with_model)
    wheel_dir = wheels()
    tag = digest(
        name,
        python,
        HERE / "venv.Containerfile",
        HERE / requirements,
        Path(ROOT) / "constraints.txt",
        tuple(drop),
        *[(rel, digest(src)) for rel, src in sorted(files.items())],
    )
    ref = f"{REGISTRY}/{name}:{tag}"
    if exists(ref):
        return ref, False
    ctx = build_context(name, files)
    podman_build(
        ref,
        "venv.Containerfile",
        ctx,
        {"PYTHON": python, "REQUIREMENTS": requirements, "DROP": " ".join(drop)},
        ["--network", "none", "-v", f"{wheel_dir}:/wheels:ro"],
    )
    shutil.rmtree(ctx, ignore_errors=True)
    return ref, True


def build_service(name: str, base: str) -> Tuple[str, bool]:
    entry = HERE / "entry" / f"{name}.sh"
    tag = digest(name, base, SERVICES[name], HERE / "service.Containerfile", entry)
    ref = f"{REGISTRY}/{name}:{tag}"
    if exists(ref):
        return ref, False
    ctx = build_context(name, {"entry": entry})
    # apt-get reaches the Debian mirror through the host's network (the only thing fetched).
    podman_build(
        ref, "service.Containerfile", ctx, {"BASE": base, "PACKAGES": " ".join(SERVICES[name])}, ["--network", "host"]
    )
    shutil.rmtree(ctx, ignore_errors=True)
    return ref, True


def build_all(names: Optional[Sequence[str]] = None) -> List[Built]:
    WORK.mkdir(parents=True, exist_ok=True)
    wanted = set(names or ("rasa", "app", *SERVICES))
    out: List[Built] = []
    base, fresh = build_base()
    out.append(Built("base", base, size_mb(base), fresh))
    if wanted & {"rasa", "app"}:
        python, fresh = build_python(base)
        out.append(Built("python", python, size_mb(python), fresh))
        if "rasa" in wanted:
            ref, fresh = build_venv_image("rasa", python, "rasa.txt", with_model=True, drop=RASA_DROP)
            out.append(Built("rasa", ref, size_mb(ref), fresh))
        if "app" in wanted:
            ref, fresh = build_venv_image("app", python, "app.txt", with_model=False)
            out.append(Built("app", ref, size_mb(ref), fresh))
    for name in SERVICES:
        if name in wanted:
            ref, fresh = build_service(name, base)
            out.append(Built(name, ref, size_mb(ref), fresh))
    refs = {b.name: b.ref for b in out}
    (WORK / "images.json").write_text(json.dumps(refs, indent=2) + "\n")
    return out


def built_refs() -> Dict[str, str]:
    path = WORK / "images.json"
    if not path.is_file():
        raise RuntimeError("no images yet: run make images")
    refs: Dict[str, str] = json.loads(path.read_text())
    return refs


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.deploy.images", description="Build the container images")
    parser.add_argument("command", nargs="?", default="build", choices=("build", "list"))
    parser.add_argument("names", nargs="*", help="only these (rasa, app, postgres, redis, frontdoor)")
    args = parser.parse_args(argv)
    use_project_containers_conf()
    if args.command == "list":
        for name, ref in built_refs().items():
            print(f"{name:10} {ref}")
        return 0
    for b in build_all(args.names):
        print(f"{b.name:10} {b.ref:42} {b.size_mb:8.1f} MB  {'built' if b.built else 'cached'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
