#!/usr/bin/env python3
"""Checks that the includes of grader/ and checks/ point down the layers, that no files or folders
include each other in a cycle, and that each file's namespace is its folder's (grader/runner declares
ipcgrade::runner, checks/ ipcgrade::checks, grader/families/pipes ipcgrade::families or
ipcgrade::families::pipes).

Usage: check_layers.py SOURCE_DIR     check the tree; exit 1 listing each offending include
       check_layers.py --self-test    plant an upward include in a temporary tree; expect it caught
"""
import os
import re
import sys
import tempfile

# The layers, lowest first: a folder may include its own files and those of the layers below it.
LAYERS = [
    ("grader/util", "helpers with no knowledge of grading: text, units, files, /proc"),
    ("grader/trace", "the events a run records: the contract between the tracer and the checks"),
    ("grader/families", "one folder per IPC family: its decoders, what its blocked calls wait for, its chart"),
    ("grader/config", "the assignment file's structs and grammar, placeholders included"),
    ("grader/run", "what a scenario produced (processes, leftovers, its trace), read by every layer above"),
    ("grader/build", "what building a submission gave, and the scratch copy it is built in"),
    ("grader/audit", "lists and reclaims leftovers, as result types"),
    ("grader/sandbox", "namespaces, the new root and its file-system policy, cgroups, Landlock, seccomp, spawning"),
    ("grader/observer", "the BPF observer: the calls of a run's processes recorded by the kernel, without stops"),
    ("grader/tracer", "the tracer and its guard, the watchdog and the symbolizer, driven by config, writing trace events"),
    ("checks", "judge results against config; declare the calls they judge"),
    ("grader/report", "the Report model (check results, scenarios, build) and its formats"),
    ("grader/score", "turns check verdicts into a Report's scored checks"),
    ("grader/runner", "runs the build and the scenarios, then scores them"),
    ("grader/batch", "many submissions, each graded by the command line"),
    ("grader/cli", "the commands, on top of everything"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
NAMESPACE = re.compile(r'^namespace (ipcgrade(?:::\w+)*) \{')
FORWARD = re.compile(r'^(class|struct|enum class) \w+;$')
SOURCE = (".cpp", ".hpp", ".h", ".cc")


def folder_of(path):
    return os.path.dirname(path)


def layer_of(folder):
    for rank, (name, _) in enumerate(LAYERS):
        if folder == name or folder.startswith(name + "/"):
            return rank, name
    return None, None


def includes(root):
    """Yields (file, line, included) for each quoted include under grader/ and checks/."""
    for top in ("grader", "checks"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith(SOURCE):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, text in enumerate(f, 1):
                        m = INCLUDE.match(text)
                        if m:
                            yield rel, number, m.group(1)


def namespaces_of(folder):
    """The namespaces a file of `folder` may declare: its folder's name, and for a family's folder
    also the families namespace it belongs to."""
    parts = folder.split("/")[1:] if folder.startswith("grader/") else [folder]
    allowed = {"ipcgrade::" + "::".join(parts)}
    if len(parts) == 2 and parts[0] == "families":
        allowed.add("ipcgrade::families")
    return allowed


def namespace_problems(root):
    """Each namespace a file opens that is not its folder's, but for forward declarations."""
    problems = []
    for top in ("grader", "checks"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith(SOURCE):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                    lines = f.read().split("\n")
                for number, text in enumerate(lines, 1):
                    m = NAMESPACE.match(text)
                    if not m or m.group(1) in namespaces_of(folder_of(rel)):
                        continue
                    body = lines[number:number + 2]
                    if len(body) == 2 and FORWARD.match(body[0]) and body[1].startswith("}"):
                        continue  # a forward declaration of another layer's type
                    problems.append(f"{rel}:{number}: namespace {m.group(1)} in folder {folder_of(rel)} "
                                    f"(expected {' or '.join(sorted(namespaces_of(folder_of(rel))))})")
    return problems


def find_cycle(graph):
    """One cycle of `graph` (node -> set of nodes) as a list of nodes, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(root):
    """The problems of the tree at `root`, one line each."""
    problems = []
    files = {}
    folders = {}
    for rel, number, included in includes(root):
        if not included.startswith(("grader/", "checks/")):
            continue
        where = f"{rel}:{number} -> {included}"
        if not os.path.exists(os.path.join(root, included)):
            problems.append(f"{where}: no such file")
            continue
        own, own_name = layer_of(folder_of(rel))
        other, other_name = layer_of(folder_of(included))
        if own is None or other is None:
            problems.append(f"{where}: folder {folder_of(rel) if own is None else folder_of(included)} "
                            "has no layer in scripts/check_layers.py")
            continue
        if other > own:
            problems.append(f"{where}: {own_name} includes {other_name}, a layer above it")
        files.setdefault(rel, set()).add(included)
        if folder_of(rel) != folder_of(included):
            folders.setdefault(folder_of(rel), set()).add(folder_of(included))
    for graph, what in ((files, "files"), (folders, "folders")):
        cycle = find_cycle(graph)
        if cycle:
            problems.append(f"cycle between {what}: " + " -> ".join(cycle))
    return problems + namespace_problems(root)


def self_test():
    """Plants an upward include and a cycle in a small tree: both must be reported."""
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)

        write("grader/util/text.hpp", "#pragma once\n#include <string>\n")
        write("grader/report/report.hpp", '#pragma once\n#include "grader/util/text.hpp"\n')
        if check(root):
            print("self-test: a tree whose includes point down was refused:", check(root))
            return 1
        write("grader/util/bad.hpp", '#pragma once\n\n#include "grader/report/report.hpp"\n')
        problems = check(root)
        expected = "grader/util/bad.hpp:3 -> grader/report/report.hpp"
        if not any(p.startswith(expected) for p in problems):
            print("self-test: the upward include was not reported:", problems)
            return 1
        os.remove(os.path.join(root, "grader/util/bad.hpp"))
        write("grader/util/a.hpp", '#include "grader/util/b.hpp"\n')
        write("grader/util/b.hpp", '#include "grader/util/a.hpp"\n')
        if not any(p.startswith("cycle between files") for p in check(root)):
            print("self-test: the cycle between files was not reported:", check(root))
            return 1
        os.remove(os.path.join(root, "grader/util/b.hpp"))
        write("grader/report/json.cpp", "namespace ipcgrade::run {\nint x;\n}\n")
        if not any(p.startswith("grader/report/json.cpp:1: namespace ipcgrade::run") for p in check(root)):
            print("self-test: a namespace that is not its folder's was not reported:", check(root))
            return 1
    print("self-test: an upward include, a cycle and a namespace not its folder's are reported")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(argv[1])
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) against the layers (see the order at the top of "
              "scripts/check_layers.py)")
        return 1
    print("every include points down the layers; no cycles; every namespace is its folder's")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
