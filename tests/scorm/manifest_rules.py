"""The SCORM 1.2 packaging rules that matter to an LMS importing a zip, checked on its bytes.
Returns every problem found (empty: the package is fine)."""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XML_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _q(tag: str, ns: str = CP) -> str:
    return f"{{{ns}}}{tag}"


def problems(data: bytes) -> list[str]:
    found: list[str] = []
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    if len(set(names)) != len(names):
        found.append("duplicate entries in the zip")
    if "imsmanifest.xml" not in names:
        return [*found, "no imsmanifest.xml at the root of the zip"]
    try:
        root = ElementTree.fromstring(archive.read("imsmanifest.xml"))  # noqa: S314 - our own package, in a test
    except ElementTree.ParseError as exc:
        return [*found, f"imsmanifest.xml is not well-formed XML: {exc}"]
    if root.tag != _q("manifest"):
        found.append(f"root element is {root.tag}, not the IMS CP 1.1.2 manifest")
    metadata = root.find(_q("metadata"))
    if metadata is None or (metadata.findtext(_q("schema")) or "").strip() != "ADL SCORM" \
            or (metadata.findtext(_q("schemaversion")) or "").strip() != "1.2":
        found.append("metadata must say schema 'ADL SCORM', schemaversion '1.2'")

    identifiers = [el.get("identifier") for el in root.iter() if el.get("identifier") is not None]
    for ident in identifiers:
        if not XML_ID.match(ident or ""):
            found.append(f"identifier {ident!r} is not an XML ID")
    duplicates = {i for i in identifiers if identifiers.count(i) > 1}
    if duplicates:
        found.append(f"identifiers used twice: {sorted(duplicates)}")

    organizations = root.find(_q("organizations"))
    orgs = [] if organizations is None else organizations.findall(_q("organization"))
    if not orgs:
        found.append("no organization")
    elif organizations is not None and organizations.get("default") not in {o.get("identifier") for o in orgs}:
        found.append("organizations/@default names no organization")
    resources = {r.get("identifier"): r for r in root.iter(_q("resource"))}
    listed: set[str] = set()
    for resource in resources.values():
        scormtype = resource.get(_q("scormtype", ADLCP))
        if scormtype not in ("sco", "asset"):
            found.append(f"resource {resource.get('identifier')}: adlcp:scormtype must be sco or asset, not {scormtype!r}")
        if resource.get("type") != "webcontent":
            found.append(f"resource {resource.get('identifier')}: type must be webcontent")
        for file in resource.findall(_q("file")):
            href = file.get("href", "")
            listed.add(href)
            if href not in names:
                found.append(f"resource {resource.get('identifier')} lists {href}, which is not in the zip")
        href = resource.get("href")
        if scormtype == "sco" and not href:
            found.append(f"SCO resource {resource.get('identifier')} has no launch href")
        if href and href not in names:
            found.append(f"resource {resource.get('identifier')}: launch file {href} is not in the zip")
        if href and href not in {f.get("href") for f in resource.findall(_q("file"))}:
            found.append(f"resource {resource.get('identifier')}: launch file {href} is not one of its files")
        for dependency in resource.findall(_q("dependency")):
            if dependency.get("identifierref") not in resources:
                found.append(f"resource {resource.get('identifier')}: dependency on unknown resource "
                             f"{dependency.get('identifierref')}")
    for org in orgs:
        for item in org.iter(_q("item")):
            ref = item.get("identifierref")
            children = item.findall(_q("item"))
            if ref is None and not children:
                found.append(f"item {item.get('identifier')} has neither a resource nor child items")
            if ref is not None and ref not in resources:
                found.append(f"item {item.get('identifier')}: identifierref {ref} names no resource")
            if ref in resources and resources[ref].get(_q("scormtype", ADLCP)) != "sco":
                found.append(f"item {item.get('identifier')} launches an asset, not a SCO")
            if not (item.findtext(_q("title")) or "").strip():
                found.append(f"item {item.get('identifier')} has no title")
            mastery = item.findtext(_q("masteryscore", ADLCP))
            if mastery is not None and not (mastery.replace(".", "", 1).isdigit() and 0 <= float(mastery) <= 100):
                found.append(f"item {item.get('identifier')}: masteryscore {mastery!r} is not 0–100")
    for name in names:
        if name != "imsmanifest.xml" and not name.endswith("/") and name not in listed:
            found.append(f"{name} is in the zip but no resource lists it")
    found.extend(_page_references(archive, names))
    return found


_REF = re.compile(r'(?:href|src)="([^"#?]+)[^"]*"|url\(([^)#?]+)\)')


def _page_references(archive: zipfile.ZipFile, names: list[str]) -> list[str]:
    """Every file a page or stylesheet points at (relative href/src/url) is in the zip."""
    found = []
    for name in names:
        if not name.endswith((".html", ".css")):
            continue
        text = archive.read(name).decode()
        for match in _REF.finditer(text):
            target = (match[1] or match[2] or "").strip("'\"")
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
                if target.startswith("/"):
                    found.append(f"{name} points at {target}, an address outside the package")
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
            if resolved not in names:
                found.append(f"{name} points at {target}, which is not in the zip")
    return found
