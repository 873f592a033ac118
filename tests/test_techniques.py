"""ATT&CK techniques, declared in the model and mapped only where a source supports them: checked in the data, shown
on the data-model page, exported as ATT&CK's own `attack-pattern` objects that the group or software `uses`, with the
mapping's basis and citation. The tests map techniques on the minimal fixture, whatever the real data maps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import stix2

from microsite import check, exports
from microsite.errors import DataErrors
from microsite.model import ATTACK_VERSION, CERTAINTY, TECHNIQUE_BASES
from microsite.render import Renderer
from microsite.stix import Bundler
from tests.conftest import minimal_project

MOMENT = dt.datetime(2023, 8, 19, tzinfo=dt.UTC)
QUOTE = "The Lazarus Group may have used a backdoor called OpenCarrot."
INGRESS = f"""  - id: T1105
    name: Ingress Tool Transfer
    tactic: command-and-control
    basis: stated
    citation:
      source: sample-article
      quote: {QUOTE}
"""  # a technique both the group and the software use
GROUP = f"""attack_id: G0032
techniques:
  - id: T1566.001
    name: "Phishing: Spearphishing Attachment"
    tactic: initial-access
    basis: inferred
    citation:
      source: sample-article
      quote: {QUOTE}
{INGRESS}"""
SOFTWARE = f"""attack_id: S0240
techniques:
{INGRESS}"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = minimal_project(tmp_path / "project")
    for path, text in (("actors/lazarus-group.yml", GROUP), ("software/opencarrot.yml", SOFTWARE)):
        data = project / "data" / path
        data.write_text(data.read_text(encoding="utf-8") + text, encoding="utf-8")
    return project


def test_techniques_become_attack_patterns_that_the_group_and_the_software_use(project: Path) -> None:
    bundle = Bundler(check(project), "test", MOMENT).bundle()
    stix2.parse(bundle)  # no custom content
    objects = {o["id"]: o for o in bundle["objects"]}
    patterns = {o["external_references"][0]["external_id"]: o for o in objects.values() if o["type"] == "attack-pattern"}
    assert sorted(patterns) == ["T1105", "T1566.001"]  # one object per technique, however many use it
    assert patterns["T1566.001"]["external_references"] == [{
        "source_name": "mitre-attack", "external_id": "T1566.001",
        "url": "https://attack.mitre.org/techniques/T1566/001/"}]
    assert patterns["T1105"]["kill_chain_phases"] == [{"kill_chain_name": "mitre-attack",
                                                       "phase_name": "command-and-control"}]
    assert ATTACK_VERSION in patterns["T1105"]["description"]
    uses = [o for o in objects.values() if o["type"] == "relationship" and o["target_ref"] in
            {p["id"] for p in patterns.values()}]
    assert sorted((objects[o["source_ref"]]["type"], objects[o["target_ref"]]["name"]) for o in uses) == [
        ("intrusion-set", "Ingress Tool Transfer"), ("intrusion-set", "Phishing: Spearphishing Attachment"),
        ("malware", "Ingress Tool Transfer")]
    assert all(o["relationship_type"] == "uses" and o["external_references"][0]["description"] == QUOTE for o in uses)
    inferred = next(o for o in uses if "T1566.001" in o["description"])
    assert "inferred by this site" in inferred["description"]
    assert inferred["confidence"] == CERTAINTY[TECHNIQUE_BASES["inferred"][1]].confidence < 50
    from stix2validator import ValidationOptions, validate_string

    result = validate_string(json.dumps(bundle), ValidationOptions(version="2.1", strict=True))
    assert {str(e).split("{")[1][:3] for e in result.errors} <= {"103", "302"}  # tests/test_stix_clients.py
    misp_stix = pytest.importorskip("misp_stix_converter")
    parser = misp_stix.ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(stix2.parse(bundle))
    parser.parse_stix_bundle(single_event=True)
    assert not parser.errors
    group = next(o for o in objects.values() if o["type"] == "intrusion-set")
    assert {"source_name": "mitre-attack", "external_id": "G0032", "url": "https://attack.mitre.org/groups/G0032/"} \
        in group["external_references"]


def test_every_technique_mapping_is_in_the_facts_csv_with_its_citation(project: Path) -> None:
    graph = check(project)
    files = dict(exports.files(graph, "test", MOMENT))
    rows = [line for line in files["downloads/csv/facts.csv"].splitlines() if "ATT&CK technique" in line]
    assert len(rows) == 3 and all("inferred by this site" in r or "stated by the source" in r for r in rows)
    entity = json.loads(files["downloads/actors/lazarus-group.json"])["entities"][0]
    assert [t["id"] for t in entity["techniques"]] == ["T1566.001", "T1105"] and entity["attack_id"] == "G0032"


@pytest.mark.parametrize(("field", "bad"), [("id", "T15"), ("tactic", "hacking"), ("basis", "guessed")])
def test_a_technique_that_is_not_one_is_refused(project: Path, field: str, bad: str) -> None:
    path = project / "data" / "software" / "opencarrot.yml"
    good = {"id": "T1105", "tactic": "command-and-control", "basis": "stated"}[field]
    path.write_text(path.read_text(encoding="utf-8").replace(f"{field}: {good}", f"{field}: {bad}"), encoding="utf-8")
    with pytest.raises(DataErrors):
        check(project)


def test_techniques_on_a_person_are_refused(project: Path) -> None:
    path = project / "data" / "actors" / "lazarus-group.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: hacking-group", "type: person"), encoding="utf-8")
    with pytest.raises(DataErrors, match="ATT&CK"):
        check(project)


def test_the_data_model_page_names_the_attack_version_and_the_mapping(project: Path) -> None:
    page = Renderer(check(project)).render("data-model.md.j2", "data-model.md").replace("\\\\", "")
    assert f"ATT&CK techniques** (version {ATTACK_VERSION})" in page
    assert "<code>techniques</code> as <code>attack-pattern</code> objects it <code>uses</code>" in page
    table = [line.replace("\\", "") for line in page.splitlines() if "attack.mitre.org/techniques/" in line]
    assert [line.split("|")[2].split("]")[0].strip(" [") for line in table] == ["T1105", "T1566.001", "T1105"]
    assert "Phishing: Spearphishing Attachment | initial access | inferred by this site" in table[1]
    assert "Ingress Tool Transfer | command and control | stated by the source" in table[2]


def test_the_pages_of_a_group_and_of_software_list_their_techniques_with_basis_and_source(project: Path) -> None:
    from tests.conftest import build

    result = build(project)
    assert result.returncode == 0, result.output
    group = result.page("actors/lazarus-group.md").article_text
    assert f"MITRE ATT&CK (Enterprise, version {ATTACK_VERSION})" in group
    assert "T1105 Ingress Tool Transfer command and control named by the source" in group
    assert "mapped by this site" in group  # the inferred mapping says so
    software = result.page("software/opencarrot.md").article_text
    assert "T1105 Ingress Tool Transfer command and control named by the source" in software
