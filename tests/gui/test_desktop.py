"""A desktop citizen: tests and the app without a display, missing system libraries, the launcher entry."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import OUTSIDE_CHECKOUT

from mnist_pad import desktop
from mnist_pad.display import (
    X_SOCKET_FOLDER,
    X_TCP_PORT,
    display_problem,
    missing_library_sentence,
    missing_library_text,
    silent_x_display_sentence,
    xcb_plugin_path,
)

CHECKOUT = Path(__file__).resolve().parents[2]
DISPLAY_SETTINGS = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def without_display(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DISPLAY_SETTINGS}
    return {**env, **extra}


def readme_test_command() -> str:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Test it", 1)[1]
    return re.search(r"```sh\n(.+?)\n```", section, re.S).group(1).strip()


# -- no display -------------------------------------------------------------------


def test_the_readme_test_command_passes_without_a_display():
    command = readme_test_command().split()
    assert command[0] == "pytest", command
    executable = Path(sys.executable).with_name("pytest")  # the README's environment
    result = subprocess.run(
        [str(executable), *command[1:], "-q", "-p", "no:cacheprovider", "tests/gui/test_canvas.py"],
        capture_output=True, text=True, cwd=CHECKOUT, timeout=300, env=without_display(),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout), result.stdout


def run_app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mnist_pad", *args],
        capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=120, env=env,
    )


def test_the_app_without_a_display_exits_2_with_one_line_naming_the_display_variables():
    result = run_app(env=without_display())
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DISPLAY" in lines[0] and "WAYLAND_DISPLAY" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "environ, platform",
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),  # chosen by hand
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),  # Qt's Wayland plugin needs no X libraries
        ({}, "win32"),
        ({}, "darwin"),
    ],
)
def test_a_platform_that_needs_no_x_display_is_not_refused(environ, platform):
    assert display_problem(environ, platform) is None


def test_no_display_variable_on_linux_is_refused():
    assert "DISPLAY" in display_problem({}, "linux")


def unserved_display_number() -> int:
    """An X display number nothing serves here: no socket file, no abstract socket, no TCP port."""
    listening = Path("/proc/net/unix").read_text() if Path("/proc/net/unix").exists() else ""
    for number in range(93, 200):
        socket_path = f"{X_SOCKET_FOLDER}/X{number}"
        with socket.socket() as probe:
            port_taken = probe.connect_ex(("127.0.0.1", X_TCP_PORT + number)) == 0
        if not Path(socket_path).exists() and f"@{socket_path}" not in listening and not port_taken:
            return number
    pytest.fail("every X display number from 93 to 199 is served")


def test_a_display_that_does_not_answer_exits_2_with_one_line():
    number = unserved_display_number()
    script = Path(sys.executable).with_name("mnist-pad")
    result = subprocess.run(
        [str(script)], capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=120,
        env=without_display(DISPLAY=f":{number}"),
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"mnist-pad: the X display :{number} named by DISPLAY does not answer "
        f"(nothing listens at {X_SOCKET_FOLDER}/X{number}); start its X server, or set DISPLAY to one that runs."
    ]
    assert result.stdout == ""


def test_a_silent_display_over_tcp_is_named_with_its_port():
    number = unserved_display_number()
    sentence = silent_x_display_sentence(f"localhost:{number}.0", "linux")
    assert f"port {X_TCP_PORT + number} of localhost" in sentence


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets are Linux's")
def test_a_display_that_answers_is_not_refused():
    number = unserved_display_number()
    with socket.socket(socket.AF_UNIX) as server, socket.socket() as tcp_server:
        server.bind(f"\0{X_SOCKET_FOLDER}/X{number}")  # where Xlib looks first; no file to clean up
        server.listen()
        tcp_server.bind(("127.0.0.1", X_TCP_PORT + number))
        tcp_server.listen()
        assert silent_x_display_sentence(f":{number}", "linux") is None
        assert silent_x_display_sentence(f"unix:{number}.0", "linux") is None
        assert silent_x_display_sentence(f"127.0.0.1:{number}", "linux") is None


def test_a_wayland_session_is_not_refused_for_a_silent_x_display():
    number = unserved_display_number()
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": f":{number}"}, "linux") is None


@pytest.fixture
def library_needing_an_absent_one(tmp_path) -> Path:
    """A shared library linked against ``libmnistpad-absent.so.3``, which is then deleted."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler to build a library with a missing dependency")
    absent = tmp_path / "libmnistpad-absent.so.3"
    source = tmp_path / "empty.c"
    source.write_text("int mnist_pad_probe(void) { return 0; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libmnistpad-absent.so.3", "-o", absent, source],
                   check=True)
    needing = tmp_path / "libneeding.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", needing, source, absent], check=True)
    absent.unlink()
    return needing


def test_a_missing_library_is_found_by_the_loader_and_named(library_needing_an_absent_one):
    sentence = missing_library_sentence(library_needing_an_absent_one)
    assert sentence is not None and "libmnistpad-absent.so.3" in sentence
    assert "apt-file search libmnistpad-absent.so.3" in sentence  # no package made up for it
    assert len(sentence.splitlines()) == 1


def test_qts_x11_libraries_are_named_with_their_debian_package():
    sentence = missing_library_text("libxcb-cursor.so.0")
    assert "libxcb-cursor.so.0" in sentence and "apt install libxcb-cursor0" in sentence


def test_pysides_x11_plugin_is_found_and_loads_when_its_libraries_are_there():
    plugin = xcb_plugin_path()
    assert plugin is not None and plugin.name == "libqxcb.so"
    problem = missing_library_sentence(plugin)
    if problem is not None:
        pytest.skip(f"this machine lacks an X library: {problem}")


# -- the desktop entry ------------------------------------------------------------


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def all_files(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def test_the_entry_launches_the_command_with_the_icon_under_the_apps_id(tmp_path):
    command = [str(tmp_path / "bin with space" / "mnist-pad")]
    desktop.install(tmp_path, command)
    entry_file = desktop.entry_path(tmp_path)
    assert entry_file.name == f"{desktop.APP_ID}.desktop"
    entry = read_entry(entry_file)
    assert entry["Type"] == "Application"
    assert entry["Exec"] == f'"{command[0]}"'  # quoted: the path holds a space
    assert entry["Icon"] == desktop.APP_ID
    assert entry["Terminal"] == "false"
    assert desktop.icon_path(tmp_path).read_bytes().startswith(b"<svg")


def test_exec_quotes_what_the_specification_reserves():
    assert desktop.exec_value(["/opt/a$b/mnist-pad", "-m"]) == '"/opt/a\\\\$b/mnist-pad" -m'


def test_the_launch_command_is_the_absolute_script_that_ran(tmp_path, monkeypatch):
    script = tmp_path / "bin" / "mnist-pad"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    assert desktop.launch_command("bin/mnist-pad") == [str(script)]
    assert desktop.launch_command("-c") == [sys.executable, "-m", "mnist_pad"]


def test_the_written_entry_validates(tmp_path):
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    result = run_app("--install-desktop-entry", env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    check = subprocess.run([validator, str(desktop.entry_path(tmp_path))], capture_output=True, text=True)
    assert check.returncode == 0 and "error" not in check.stdout + check.stderr, check.stdout + check.stderr


def test_uninstalling_removes_exactly_what_installing_wrote_and_says_where_the_data_is(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    others = [
        tmp_path / "applications" / "another.desktop",
        tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "another.svg",
        tmp_path / "mnist-pad" / "my-digits.sqlite",
        tmp_path / "mnist-pad" / "models" / "mnist_convnet_adapted_20250101-120000.h5",
    ]
    for path in others:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"keep me")
    before = all_files(tmp_path)

    installed = run_app("--install-desktop-entry", env=env)
    assert installed.returncode == 0, installed.stderr
    written = all_files(tmp_path) - before
    assert written == {desktop.entry_path(tmp_path), desktop.icon_path(tmp_path)}
    assert all(str(path) in installed.stdout for path in written)

    removed = run_app("--uninstall-desktop-entry", env=env)
    assert removed.returncode == 0, removed.stderr
    assert all_files(tmp_path) == before
    assert all(path.read_bytes() == b"keep me" for path in others)
    assert str(tmp_path / "mnist-pad" / "my-digits.sqlite") in removed.stdout
    assert str(tmp_path / "mnist-pad" / "models") in removed.stdout


def test_installing_where_the_data_folder_cannot_be_written_exits_2_with_one_line(tmp_path):
    blocking = tmp_path / "not-a-folder"
    blocking.write_text("a file where the data folder should be")
    result = run_app("--install-desktop-entry", env=dict(os.environ, XDG_DATA_HOME=str(blocking / "share")))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(blocking) in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_PAD_STORE", raising=False)
    return tmp_path


def test_uninstalling_names_the_saved_digits_and_models_where_they_are(data_home):
    from mnist_pad.my_digits import DigitStore, default_store_path
    from mnist_pad.user_data import models_directory, new_model_path

    with DigitStore(default_store_path()) as store:
        store.add([[(0.5, 0.2), (0.5, 0.8)]], 1)
    model = new_model_path()
    model.parent.mkdir(parents=True)
    model.write_bytes(b"a model")
    text = desktop.user_data_text()
    assert str(default_store_path()) in text and str(models_directory()) in text
    assert model.parent == models_directory() and str(data_home) in text


def test_uninstalling_names_no_data_folder_that_does_not_exist(data_home):
    from mnist_pad.user_data import data_directory

    assert desktop.user_data_text() == "You have no saved digits or models to keep."
    assert not data_directory().exists()


def test_uninstalling_after_a_start_that_saved_nothing_names_no_digits_or_models(data_home):
    from mnist_pad.my_digits import DigitStore, default_store_path
    from mnist_pad.user_data import data_directory, models_directory

    DigitStore(default_store_path()).close()  # what the window's first start leaves: an empty store
    models_directory().mkdir()
    text = desktop.user_data_text()
    assert text.startswith("You have no saved digits or models to keep; ") and str(data_directory()) in text
    assert "my-digits.sqlite" not in text and str(models_directory()) not in text


def test_mnist_pad_is_a_gui_script_so_windows_opens_no_console():
    from importlib.metadata import entry_points

    assert [e.value for e in entry_points(group="gui_scripts", name="mnist-pad")] == ["mnist_pad.app:main"]
    assert not entry_points(group="console_scripts", name="mnist-pad")
