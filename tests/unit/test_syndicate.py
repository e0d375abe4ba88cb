"""Syndicate stage: shingles, MinHash signatures, LSH clustering. Pure, no warehouse."""
from flows.stages.syndicate import (ClusterMember, SyndicateOptions, cluster, shingles,
                                     signature, signatures, words)

OPTS = SyndicateOptions()

STORY = ("MILLBROOK, Ore. (AP) — State inspectors on Wednesday ordered emergency repairs at the "
         "Caldwell River dam after finding cracks in two of its concrete spillway gates, and told "
         "the county to lower the reservoir by six feet before the spring melt begins. The "
         "61-year-old earthen dam holds back Lake Tamsin, a popular fishing spot that supplies "
         "drinking water to about 40,000 people in three small towns downstream. Engineers from "
         "the state dam safety office found the cracks during a routine inspection last month and "
         "returned this week with divers, who reported that one gate had shifted nearly an inch "
         "on its hinges since the last survey in 2019. County commissioners approved an emergency "
         "contract worth $3.2 million on Wednesday evening.")
OTHER = ("Hollis Bread Company reopened its Elm Street shop on Thursday, four months after a grease "
         "fire gutted the kitchen and forced the family-run bakery to close during its busiest "
         "season. Owner Teresa Hollis said the rebuilt kitchen has a larger deck oven, which will "
         "let the bakery return to baking rye and sourdough loaves every morning instead of three "
         "days a week. Neighbours lined up before the doors opened at seven.")
SAME_TOPIC = ("State inspectors say the Caldwell River dam needs repairs. The county will lower Lake "
              "Tamsin this spring while crews work on the spillway gates, officials told reporters on "
              "Wednesday, adding that there was no danger to people living downstream of the dam and "
              "that boat ramps would close for about ten weeks during the work on the dam.")


def test_words_and_shingles_ignore_case_and_punctuation_in_any_script():
    assert words("Ceasefire—talks, in KYIV; Київ!") == ["ceasefire", "talks", "in", "kyiv", "київ"]
    assert shingles("a b c d e f", 5) == {"a b c d e", "b c d e f"}
    assert shingles("a b", 5) == {"a b"} and shingles("", 5) == set()


def test_signatures_are_repeatable():
    a, b = signature("x", STORY, OPTS), signature("x", STORY, OPTS)
    assert a == b and len(a.hashvalues) == OPTS.num_perm and a.shingle_count > 50


def test_reprints_cluster_and_other_stories_do_not():
    chrome_a = "Home | Local | Region\n- Advertisement -\n" + STORY + "\n© 2022 Ridgeway Tribune."
    chrome_b = "Cookies? Accept all\n" + STORY + " A public meeting on the repairs is planned for Feb. 10."
    sigs = signatures([("b", chrome_b), ("a", chrome_a), ("c", OTHER), ("d", SAME_TOPIC)], OPTS)
    got = cluster(sigs, OPTS)
    assert [(m.cluster_id, m.doc_id, m.cluster_size) for m in got] == [("a", "a", 2), ("a", "b", 2)]
    assert all(m.similarity >= 0.7 for m in got)


def test_a_truncated_reprint_joins_by_containment():
    half = STORY[: len(STORY) // 2]
    got = cluster(signatures([("full", STORY), ("half", half)], OPTS), OPTS)
    assert {m.doc_id for m in got} == {"full", "half"}
    assert all(m.containment >= 0.8 for m in got)


def test_clusters_are_transitive_and_ids_stable():
    parts = STORY.split(". ")
    v1 = ". ".join(parts[:4])
    v2 = ". ".join(parts[1:5])
    v3 = ". ".join(parts[2:])
    sigs = signatures([("z3", v3), ("m2", v2), ("k1", v1)], SyndicateOptions(min_shingles=5))
    got = cluster(sigs, SyndicateOptions(min_shingles=5))
    assert {m.cluster_id for m in got} == {"k1"}  # the smallest doc_id names the cluster
    assert cluster(list(reversed(sigs)), SyndicateOptions(min_shingles=5)) == got


def test_short_texts_and_single_documents_never_cluster():
    assert cluster(signatures([("a", "Breaking news"), ("b", "Breaking news")], OPTS), OPTS) == []
    assert cluster(signatures([("a", STORY)], OPTS), OPTS) == []
    assert cluster([], OPTS) == []


def test_method_names_the_settings():
    assert SyndicateOptions().method == "minhash-affine32-w5-p128-s1"
    assert isinstance(cluster(signatures([("a", STORY), ("b", STORY)], OPTS), OPTS)[0], ClusterMember)
