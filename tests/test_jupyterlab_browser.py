"""JupyterLab, tested the way a learner uses it: notebook 00 in a real (headless) browser.

The test serves a copy of notebook 00, outputs cleared, from a temporary folder
with JupyterLab (quick mode in the server's environment, so the kernel inherits
it), opens it in Debian's Chromium driven by Selenium with the system's
chromedriver (no browser download, Selenium Manager never runs), chooses
Run > Run All Cells, waits until the kernel is idle and every code cell has
run, and then reads the page: no cell may show an error, and at least one
figure must have rendered.
A screenshot goes to build/screenshots/, also when the test fails.
"""

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00_setup_and_data.ipynb"
SCREENSHOTS = ROOT / "build" / "screenshots"
INSTALL = "sudo apt-get install chromium chromium-driver"

# The machine may be small and busy: generous limits, polled, never a fixed sleep.
OPEN_TIMEOUT = 300  # page loaded, every cell on it, kernel started and idle
RUN_TIMEOUT = 900  # Run All Cells until the kernel is idle and every code cell has run
POLL = 2

EXECUTED = re.compile(r"^\[\d+\]:$")

# JupyterLab renders an error output like stderr (same mime type); what tells it apart
# is IPython's traceback: "Traceback (most recent call last)" or, for a syntax
# error, the "Cell In[n], line m" header.
IS_ERROR = r"""
const isError = output => output.matches('[data-mime-type="application/vnd.jupyter.stderr"]')
  && /Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+/m.test(output.textContent);
"""

# One snapshot of what the notebook shows, read in a single script so it is consistent.
# textContent (not Selenium's visible text) also reads cells scrolled out of view.
PAGE_STATE = IS_ERROR + """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
const cells = panel ? [...panel.querySelectorAll('.jp-Notebook .jp-Cell')] : [];
const dialog = document.querySelector('.jp-Dialog');
return {
  notebook: !!panel,
  dialog: dialog ? dialog.textContent.trim().slice(0, 500) : null,
  cells: cells.map((cell, index) => ({
    index: index,
    code: cell.classList.contains('jp-CodeCell'),
    prompt: ((cell.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    source: [...cell.querySelectorAll('.jp-InputArea-editor .cm-line')].map(line => line.textContent)
      .join('\\n').slice(0, 80),
    outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(output => ({
      mime: output.getAttribute('data-mime-type') || '',
      error: isError(output),
      text: output.textContent.slice(0, 3000),
      images: [...output.querySelectorAll('img')].filter(img => img.complete && img.naturalWidth > 0).length,
    })),
  })),
};
"""

# Before the screenshot: bring the first error into view, else the first figure.
SHOW_FIRST_ERROR_OR_FIGURE = IS_ERROR + """
const outputs = [...document.querySelectorAll('.jp-OutputArea-output')];
const target = outputs.find(isError) || outputs.find(output => output.querySelector('img'));
if (target) target.scrollIntoView({block: 'center'});
"""


def _browser_paths():
    """Debian's Chromium and its driver, or skip (fail under CI) saying how to install them."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path]
    if missing:
        message = (
            f"the JupyterLab browser test needs Debian's Chromium and its driver ({' and '.join(missing)} "
            f"not found on PATH); install them with: {INSTALL}"
        )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this fails rather than skips)")
        pytest.skip(message)
    return chromium, driver


def _chromium(chromium, driver, profile, log):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # --no-sandbox: Chromium's sandbox refuses to run as root (containers, CI).
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1800",
                     f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    # The driver's path is given, so Selenium never looks for (or downloads) one.
    browser = webdriver.Chrome(service=Service(executable_path=driver, log_output=str(log)), options=options)
    browser.set_page_load_timeout(120)
    browser.set_script_timeout(30)
    return browser


def _summary(state, kernels=None):
    """What the page showed, in a few lines, for a failure message."""
    if state is None:
        return "  (the page could not be read)"
    lines = [f"  notebook open: {state['notebook']}; kernels (server): {kernels}"]
    if state["dialog"]:
        lines.append(f"  dialog: {state['dialog']!r}")
    for cell in state["cells"]:
        if cell["code"]:
            mimes = ", ".join(output["mime"] for output in cell["outputs"]) or "no output"
            lines.append(f"  cell {cell['index']:2d} {cell['prompt'] or '?':7s} {cell['source'][:50]!r}: {mimes}")
    return "\n".join(lines)


def _problems(state):
    """Everything the page shows that a learner would call broken (empty list: all good)."""
    code = [cell for cell in state["cells"] if cell["code"]]
    problems = []
    if not code:
        problems.append("the page shows no code cells")
    for cell in code:
        for output in cell["outputs"]:
            if output["error"]:
                problems.append(f"cell {cell['index']} ({cell['source'][:50]!r}) shows an error:\n{output['text']}")
    not_run = [cell["index"] for cell in code if not EXECUTED.match(cell["prompt"])]
    if not_run:
        problems.append(f"code cells {not_run} did not run (prompts {[code_cell['prompt'] for code_cell in code]})")
    figures = sum(output["images"] for cell in code for output in cell["outputs"])
    if figures == 0:
        problems.append("no figure (image output) rendered")
    return problems


def _wait(what, timeout, check, describe):
    """Poll check() until it returns a true value; fail with describe() when time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s. The page showed:\n{describe()}")
        time.sleep(POLL)


def test_notebook_00_runs_in_jupyterlab_in_a_browser(start_lab, tmp_path, monkeypatch):
    chromium, driver = _browser_paths()
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    # If anything tried to use Selenium Manager (it downloads browsers), it would fail loudly.
    monkeypatch.setenv("SE_MANAGER_PATH", str(tmp_path / "no-selenium-manager"))

    # A copy with no outputs (as after Edit > Clear Outputs of All Cells), so that every
    # prompt number and figure on the page comes from this run, not from the file.
    notebook = json.loads(NOTEBOOK.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    cell_count = len(notebook["cells"])
    served = tmp_path / "course"
    served.mkdir()
    (served / NOTEBOOK.name).write_text(json.dumps(notebook, indent=1))
    settings = tmp_path / "lab-settings"
    notifications = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notifications.parent.mkdir(parents=True)
    notifications.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {
        **os.environ,
        "GRADIENTS_QUICK": "1",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    env.pop("MPLBACKEND", None)  # the tests' Agg backend would hide figures; a learner's kernel draws inline
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []
    lab = start_lab(
        lambda options: [sys.executable, "-m", "jupyter", "lab", *options, f"--ServerApp.root_dir={served}",
                         *root_flag],
        cwd=served, env=env,
    )

    def kernels():
        try:
            return {kernel["id"][:8]: kernel["execution_state"] for kernel in lab.api("kernels")}
        except OSError as error:
            return f"unreachable ({error})"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / f"{NOTEBOOK.stem}.png"
    screenshot.unlink(missing_ok=True)
    browser = _chromium(chromium, driver, tmp_path / "chromium-profile", tmp_path / "chromedriver.log")
    state = None

    def read():
        nonlocal state
        try:
            state = browser.execute_script(PAGE_STATE)
        except WebDriverException as error:
            pytest.fail(f"could not read the page in the browser: {error.msg}\nlast seen:\n{_summary(state)}")
        return state

    def describe():
        return f"{_summary(state, kernels())}\nserver log (end):\n{lab.output()[-2000:]}"

    try:
        browser.get(f"{lab.url}/lab/tree/{NOTEBOOK.name}?token={lab.token}")

        def open_and_idle():
            page = read()
            states = kernels()
            return (page["notebook"] and len(page["cells"]) == cell_count and not page["dialog"]
                    and isinstance(states, dict) and states and set(states.values()) == {"idle"})

        _wait("JupyterLab showing the notebook with an idle kernel", OPEN_TIMEOUT, open_and_idle, describe)

        # Run > Run All Cells, as a learner clicks it.
        run_menu = [item for item in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                    if item.text.strip() == "Run"]
        assert run_menu, f"JupyterLab's menu bar has no Run menu:\n{describe()}"
        run_menu[0].click()
        run_all = _wait(
            "Run > Run All Cells enabled", 60,
            lambda: [item for item in browser.find_elements(
                By.CSS_SELECTOR, '.lm-Menu-item[data-command="runmenu:run-all"]')
                if "lm-mod-disabled" not in (item.get_attribute("class") or "")],
            describe,
        )
        run_all[0].click()

        # Done: the run has visibly started, no cell is queued or running ([*]) and the kernel
        # is idle, twice in a row (between two cells the kernel is idle for an instant).
        quiet = 0

        def finished():
            nonlocal quiet
            prompts = [cell["prompt"] for cell in read()["cells"] if cell["code"]]
            states = kernels()
            started = any(prompt == "[*]:" or EXECUTED.match(prompt) for prompt in prompts)
            idle = isinstance(states, dict) and set(states.values()) == {"idle"}
            quiet = quiet + 1 if started and idle and "[*]:" not in prompts else 0
            return quiet >= 2

        _wait("Run All Cells finishing (kernel idle, no cell queued or running)", RUN_TIMEOUT, finished, describe)
        problems = _problems(read())
        if problems:
            pytest.fail("\n\n".join(problems) + f"\n\nThe page showed:\n{describe()}", pytrace=False)
    finally:
        try:
            browser.execute_script(SHOW_FIRST_ERROR_OR_FIGURE)
            time.sleep(1)  # let the scrolled-to cells paint before the picture
            browser.save_screenshot(str(screenshot))
        except WebDriverException:
            pass  # a browser that stopped answering takes no picture; the failure says why
        finally:
            browser.quit()


def test_problems_names_what_a_learner_would_see_as_broken():
    """The verdict on a page (the browser run above proved end to end on broken copies of notebook 00)."""
    def cell(index, prompt, *outputs):
        return {"index": index, "code": True, "prompt": prompt, "source": f"cell_{index}()", "outputs": list(outputs)}

    figure = {"mime": "image/png", "error": False, "text": "", "images": 1}
    stderr = {"mime": "application/vnd.jupyter.stderr", "error": False, "text": "a warning", "images": 0}
    traceback = {"mime": "application/vnd.jupyter.stderr", "error": True, "images": 0,
                 "text": "ValueError   Traceback (most recent call last)\nValueError: broken"}
    assert _problems({"cells": [cell(0, "[1]:", figure, stderr), cell(1, "[2]:")]}) == []

    broken = _problems({"cells": [cell(0, "[1]:", figure), cell(1, "[2]:", traceback), cell(2, "[ ]:")]})
    assert len(broken) == 2
    assert broken[0].startswith("cell 1 ('cell_1()') shows an error:") and "ValueError: broken" in broken[0]
    assert broken[1].startswith("code cells [2] did not run")
    assert _problems({"cells": [cell(0, "[1]:", stderr)]}) == ["no figure (image output) rendered"]
    assert _problems({"cells": []})[0] == "the page shows no code cells"
