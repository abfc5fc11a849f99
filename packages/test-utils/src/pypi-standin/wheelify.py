"""Wheels from the Python distributions Debian installed, for a loopback stand-in of PyPI.

usage: python3 wheelify.py OUT_DIR

Every distribution under /usr/lib/python3/dist-packages becomes OUT_DIR/<name>-<version>-<tag>.whl holding the files of the Debian package that owns it and
a dist-info with its metadata (egg-info requires become Requires-Dist). Distributions with C extensions are
tagged cp311-cp311-linux_x86_64; their shared-library packages (what a manylinux wheel would bundle) are
listed in OUT_DIR/runtime-packages.txt for the stand-in Python image to install. PyPI's `tzdata` (the IANA
database as a package), which Debian does not package, is made from Debian's tzdata the way PyPI lays it out.
"""
import base64
import hashlib
import importlib.metadata as md
import os
import re
import subprocess
import sys
import zipfile

SITE = "/usr/lib/python3/dist-packages"


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def package_files(site, meta_dir):
    """The regular files, relative to `site`, of the package that installed `meta_dir`."""
    owner = sh("dpkg", "-S", meta_dir).split(":")[0].strip()
    paths = sh("dpkg", "-L", owner).splitlines() if owner else []
    prefix = site.rstrip("/") + "/"
    return sorted(
        p[len(prefix):]
        for p in paths
        if p.startswith(prefix) and os.path.isfile(p) and "__pycache__" not in p and not p.endswith(".pyc")
    )


def top_level_files(site, names):
    """The files of the top-level modules and packages `names` in `site`."""
    found = []
    for name in names:
        root = os.path.join(site, name)
        for d, dirs, fs in os.walk(root):
            dirs[:] = [x for x in dirs if x != "__pycache__"]
            found += [os.path.relpath(os.path.join(d, f), site) for f in fs if not f.endswith(".pyc")]
        found += [e for e in os.listdir(site) if e.split(".")[0] == name and os.path.isfile(os.path.join(site, e))]
    return found


def metadata_text(dist, meta_dir):
    if meta_dir.endswith(".dist-info"):
        return dist.read_text("METADATA")
    # egg-info: PKG-INFO plus the requirements importlib.metadata reads from requires.txt.
    lines = [l for l in (dist.read_text("PKG-INFO") or "").split("\n\n", 1)[0].splitlines()
             if not l.startswith(("Metadata-Version:", "Requires-Dist:", "Provides-Extra:"))]
    requires = dist.requires or []
    extras = sorted({m for r in requires for m in re.findall(r'extra == "([^"]+)"', r)})
    head = ["Metadata-Version: 2.1"] + lines
    head += [f"Provides-Extra: {e}" for e in extras] + [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(head) + "\n"


class FileEggInfo(md.Distribution):
    """A `name-version.egg-info` that is one file (PKG-INFO's text), as distutils wrote them."""

    def __init__(self, path):
        self._path = path

    def read_text(self, filename):
        return open(self._path).read() if filename == "PKG-INFO" else None

    def locate_file(self, path):
        return path


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def zip_wheel(out, stem, version, tag, entries, purelib):
    info = f"{stem}-{version}.dist-info"
    wheel = f"Wheel-Version: 1.0\nGenerator: repoforge-wheelify\nRoot-Is-Purelib: {str(purelib).lower()}\nTag: {tag}\n"
    entries[f"{info}/WHEEL"] = wheel.encode()
    record = [record_line(n, d) for n, d in entries.items()] + [f"{info}/RECORD,,"]
    path = os.path.join(out, f"{stem}-{version}-{tag}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries.items():
            z.writestr(n, d)
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def tzdata_wheel(out, zoneinfo="/usr/share/zoneinfo"):
    """PyPI's tzdata layout (tzdata/zoneinfo/<Area>/<Zone>, a package per folder), IANA 2024a as 2024.1."""
    iana = open(os.path.join(zoneinfo, "tzdata.zi")).readline().split()[-1]
    version = f"{iana[:4]}.{ord(iana[4]) - ord('a') + 1}"
    entries = {"tzdata/__init__.py": f'IANA_VERSION = "{iana}"\n'.encode()}
    zones = []
    for d, dirs, files in os.walk(zoneinfo):
        dirs[:] = [x for x in dirs if x not in ("posix", "right")]
        rel = os.path.relpath(d, zoneinfo)
        pkg = "tzdata/zoneinfo" + ("" if rel == "." else "/" + rel)
        entries[f"{pkg}/__init__.py"] = b""
        for f in files:
            data = open(os.path.join(d, f), "rb").read()
            if data.startswith(b"TZif"):
                entries[f"{pkg}/{f}"] = data
                zones.append(f if rel == "." else f"{rel}/{f}")
    entries["tzdata/zones"] = ("\n".join(sorted(zones)) + "\n").encode()
    meta = f"Metadata-Version: 2.1\nName: tzdata\nVersion: {version}\nSummary: IANA tz database (from Debian's tzdata)\n"
    entries[f"tzdata-{version}.dist-info/METADATA"] = meta.encode()
    return zip_wheel(out, "tzdata", version, "py2.py3-none-any", entries, True)


def write_wheel(out, site, dist, meta_dir, libs):
    name, version = dist.metadata["Name"], dist.version
    files = [f for f in package_files(site, os.path.join(site, meta_dir))
             if not f.startswith(meta_dir + "/") and not re.match(r"[^/]+\.(dist|egg)-info(/|$)", f)]
    top = (dist.read_text("top_level.txt") or "").split()
    if top:
        # A Debian package holding several distributions: keep this one's top-level names. A top-level name
        # Debian moved to a package of its own (setuptools' pkg_resources) comes back from the site dir.
        files = [f for f in files if f.split("/")[0].split(".")[0] in top] or files
        files = sorted(set(files) | set(top_level_files(site, top)))
    native = [f for f in files if f.endswith(".so")]
    tag = "cp311-cp311-linux_x86_64" if native else "py3-none-any"
    stem = re.sub(r"[-_.]+", "_", name)
    info = f"{stem}-{version}.dist-info"
    entries = {f: open(os.path.join(site, f), "rb").read() for f in files}
    entries[f"{info}/METADATA"] = metadata_text(dist, meta_dir).encode()
    for extra in ("entry_points.txt", "top_level.txt"):
        text = dist.read_text(extra)
        if text:
            entries[f"{info}/{extra}"] = text.encode()
    path = zip_wheel(out, stem, version, tag, entries, not native)
    for f in native:
        for line in sh("ldd", os.path.join(site, f)).splitlines():
            m = re.search(r"=> (/\S+)", line)
            if m:
                libs.add(m.group(1))
    return path


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    libs, seen = set(), set()
    for meta_dir in sorted(os.listdir(SITE)):
        if not meta_dir.endswith((".dist-info", ".egg-info")):
            continue
        path = os.path.join(SITE, meta_dir)
        dist = FileEggInfo(path) if os.path.isfile(path) else md.Distribution.at(path)
        key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if key in seen:
            continue
        seen.add(key)
        print(os.path.basename(write_wheel(out, SITE, dist, meta_dir, libs)))
    if os.path.exists("/usr/share/zoneinfo/tzdata.zi"):
        print(os.path.basename(tzdata_wheel(out)))
    packages = set()
    for lib in sorted(libs):
        owner = sh("dpkg", "-S", os.path.realpath(lib)).split(":")[0].strip() or sh("dpkg", "-S", lib).split(":")[0].strip()
        if owner and not owner.startswith(("python3", "libc6", "libpython3")):
            packages.add(owner)
    with open(os.path.join(out, "runtime-packages.txt"), "w") as f:
        f.write("\n".join(sorted(packages)) + "\n")


main()
