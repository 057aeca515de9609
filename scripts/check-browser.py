#!/usr/bin/env python3
"""The dashboard, in a real browser: headless Chromium driven by Selenium against a live Huddle.

Runs `huddle serve` and `huddle work` itself (it restarts both mid-test), on the database in DATABASE_URL,
which must be migrated and hold the demo league (`huddle demo load`); HUDDLE_SECRET and HUDDLE_SLEEPER_URL
come from the environment too. scripts/check-browser.sh sets all of that up on a fresh database.

Scenario (every step waits on the page's state, up to --timeout seconds):
  a. open /#token=<alice's token>: the token leaves the URL, the connection indicator reaches `connected`, the
     league picker shows "Huddle Demo League"; a bad week shows the server's 422 message next to the field;
  b. a sit/start for roster 1: the task card reaches 100 % / completed and renders the lineup (10 rows, at
     least one `changed`: alice starts an Out player);
  c. reconnect during a task: the worker stops, a second sit/start stays pending, `huddle serve` restarts on
     the same port (the indicator goes `reconnecting`, then `connected`), the worker starts again, and the
     card reaches completed with its lineup;
  d. a notification written with psql (queue.notify_user) appears as a toast and in the feed;
  e. at phone width (390 px) the layout is one column;
  f. an admin token shows the operations view: queue stats, the demo schedules, run-now and disable.
Screenshots go to .build/browser-artifacts/ (paths printed); on failure also failure.png, the browser
console log, the page's HTML and the server and worker logs.

Usage: scripts/check-browser.py BASE_URL HUDDLE_BIN [--install-deps] [--update-readme-screenshot]
           [--artifacts DIR] [--pid-dir DIR] [--timeout SECONDS]
  --install-deps              pip-install selenium first
  --update-readme-screenshot  also save docs/dashboard.png
  --pid-dir DIR               write serve.pid / work.pid there (for the caller's cleanup)
Needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver; override with
CHROME_BIN / CHROMEDRIVER).
"""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("base_url", help="http://127.0.0.1:PORT: where to run huddle serve (loopback, a free port)")
parser.add_argument("huddle")
parser.add_argument("--install-deps", action="store_true")
parser.add_argument("--update-readme-screenshot", action="store_true")
parser.add_argument("--artifacts", default=os.path.join(ROOT, ".build", "browser-artifacts"))
parser.add_argument("--pid-dir")
parser.add_argument("--timeout", type=float, default=30)
args = parser.parse_args()

if args.install_deps:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "selenium>=4.11"],
                   check=True, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})
try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    sys.exit("check-browser: needs selenium: pip install selenium (or pass --install-deps)")

for var in ("DATABASE_URL", "HUDDLE_SECRET"):
    if not os.environ.get(var):
        sys.exit(f"check-browser: {var} must be set (scripts/check-browser.sh sets everything up)")

CHROME = os.environ.get("CHROME_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
for path, package in ((CHROME, "chromium"), (CHROMEDRIVER, "chromium-driver")):
    if not os.path.exists(path):
        sys.exit(f"check-browser: {path} not found: apt-get install -y {package}")

HUDDLE = os.path.abspath(args.huddle) if os.sep in args.huddle else args.huddle
BASE = args.base_url.rstrip("/")
PORT = urllib.parse.urlsplit(BASE).port
if not PORT:
    sys.exit(f"check-browser: {BASE} has no port")
ART = os.path.abspath(args.artifacts)
os.makedirs(ART, exist_ok=True)
TIMEOUT = args.timeout
started = time.monotonic()
timings = []
screenshots = []


class Failure(Exception):
    pass


class Process:
    """A huddle subcommand run in the background, its output in ART/<name>.log."""

    def __init__(self, name, argv):
        self.name, self.argv, self.proc = name, argv, None
        self.log_path = os.path.join(ART, f"{name}.log")
        open(self.log_path, "w").close()

    def start(self):
        log = open(self.log_path, "a")
        log.write(f"---- {time.strftime('%H:%M:%S')} starting: {' '.join(self.argv)}\n")
        log.flush()
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        log.close()
        if args.pid_dir:
            with open(os.path.join(args.pid_dir, f"{self.name}.pid"), "w") as f:
                f.write(str(self.proc.pid))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM (a graceful shutdown), then SIGKILL if it takes longer than `timeout`."""
        if not self.running():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"huddle {self.name} did not stop within {timeout} s of SIGTERM (killed)")

    def tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


serve = Process("serve", [HUDDLE, "serve", "--port", str(PORT), "--web-root", os.path.join(ROOT, "web"), "--log-level", "info"])
work = Process("work", [HUDDLE, "work", "--log-level", "info"])


def ready():
    try:
        with urllib.request.urlopen(BASE + "/readyz", timeout=2) as r:
            return r.status == 200
    except Exception:
        return False


def start_server():
    """Starts `huddle serve` and waits until /readyz answers 200 (retrying if the port is not free yet)."""
    for attempt in range(3):
        serve.start()
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if ready():
                return
            if not serve.running():
                break
            time.sleep(0.1)
        else:
            raise Failure(f"huddle serve was not ready within {TIMEOUT:.0f} s")
        time.sleep(0.5 * (attempt + 1))
    raise Failure("huddle serve exited early (3 tries); see serve.log")


def token(user, admin=False):
    argv = [HUDDLE, "token", user] + (["--admin"] if admin else [])
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


def psql(sql):
    subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", os.environ["DATABASE_URL"], "-c", sql],
                   check=True, capture_output=True, text=True)


# ---- the browser ----------------------------------------------------------------------------------------------

def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROME
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


driver = None


def js(script, *arguments):
    return driver.execute_script(script, *arguments)


def wait(what, predicate, timeout=None):
    """Polls `predicate` (a function of nothing returning a truthy value) until it holds; fails naming `what`."""
    try:
        return WebDriverWait(driver, timeout or TIMEOUT, poll_frequency=0.1,
                             ignored_exceptions=(WebDriverException,)).until(lambda _d: predicate())
    except TimeoutException:
        raise Failure(f"timed out after {timeout or TIMEOUT:.0f} s waiting for: {what}") from None


def connection_state():
    return js("const el = document.getElementById('connection'); return el ? el.dataset.state : null")


def wait_connection(state, timeout=None):
    wait(f"connection indicator data-state={state!r} (it is {connection_state()!r})",
         lambda: connection_state() == state, timeout)
    text = js("return document.getElementById('connection').textContent.trim()")
    if text != state:
        raise Failure(f"the connection indicator says {text!r} while its data-state is {state!r}")


def task_ids():
    return js("return [...document.querySelectorAll('#tasks .task')].map(e => e.dataset.taskId)")


def task(task_id):
    """The card's state: status, progress, lineup rows and changed rows, error text."""
    return js("""
        const el = document.querySelector(`#tasks .task[data-task-id="${arguments[0]}"]`)
        if (!el) return null
        const bar = el.querySelector('[data-progress]')
        return {status: el.dataset.status, progress: bar ? Number(bar.dataset.progress) : null,
                step: el.querySelector('.step')?.textContent || '',
                rows: el.querySelectorAll('table.lineup tbody tr').length,
                changed: el.querySelectorAll('table.lineup tbody tr.changed').length,
                error: el.querySelector('.task-error')?.textContent || ''}
    """, task_id)


def start_sit_start(week=None):
    """Submits the sit/start form (roster 1: alice's, the default) and returns the new card's task id."""
    before = set(task_ids())
    js("document.getElementById('sit-week').value = arguments[0]", "" if week is None else str(week))
    driver.find_element(By.CSS_SELECTOR, "#sit-start-form button[type=submit]").click()
    new = wait("a new task card", lambda: [t for t in task_ids() if t not in before])
    return new[0]


def wait_completed_with_lineup(task_id):
    def done():
        t = task(task_id)
        if t and t["status"] == "failed":
            raise Failure(f"task {task_id} failed: {t['error']}")
        return t if t and t["status"] == "completed" and t["progress"] == 100 and t["rows"] > 0 else None
    t = wait(f"task {task_id} completed at 100 % with a lineup (now {task(task_id)})", done)
    if t["rows"] != 10:
        raise Failure(f"task {task_id}: the lineup table has {t['rows']} rows, expected 10 (one per starting slot)")
    if t["changed"] < 1:
        raise Failure(f"task {task_id}: no row marked changed, but alice's demo lineup starts an Out player")
    return t


def screenshot(name):
    path = os.path.join(ART, name)
    js("window.scrollTo(0, 0)")
    driver.save_screenshot(path)
    screenshots.append(path)
    return path


def banner_errors():
    return js("return [...document.querySelectorAll('#errors .error-item')].map(e => e.dataset.message)")


def check_no_errors():
    errors = banner_errors()
    if errors:
        raise Failure(f"the page shows errors: {errors}")


class step:
    """Times a step and prints it."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.t0 = time.monotonic()
        print(f"-- {self.name}", flush=True)

    def __exit__(self, kind, *_):
        if kind is None:
            elapsed = time.monotonic() - self.t0
            timings.append((self.name, elapsed))
            print(f"   ok ({elapsed:.1f} s)", flush=True)


# ---- the scenario ---------------------------------------------------------------------------------------------

def scenario():
    global driver
    alice = token("alice")
    with step("start huddle serve and huddle work"):
        start_server()
        work.start()
    driver = make_driver()
    driver.set_page_load_timeout(TIMEOUT)

    with step("a. sign in from /#token=…, connect, list leagues"):
        driver.get(f"{BASE}/#token={alice}")
        wait_connection("connected")
        wait('the league picker lists "Huddle Demo League"',
             lambda: "Huddle Demo League" in js("return document.getElementById('league-picker').textContent"))
        url = driver.current_url
        if "token=" in url:
            raise Failure(f"the token is still in the URL: {url}")
        if js("return localStorage.getItem('huddle.token')") != alice:
            raise Failure("the token was not stored in localStorage")
        # Record every connection state the page shows from now on.
        js("""window.__states = []
              new MutationObserver(() => window.__states.push(document.getElementById('connection').dataset.state))
                .observe(document.getElementById('connection'), {attributes: true, attributeFilter: ['data-state']})""")
        # The server's 422 lands next to the field.
        js("document.getElementById('sit-week').value = '25'")
        driver.find_element(By.CSS_SELECTOR, "#sit-start-form button[type=submit]").click()
        message = wait("the 422 message next to the week field", lambda: js(
            "return document.querySelector('#sit-start-form .field-error[data-field=week]').textContent"))
        print(f"   422 shown next to week: {message!r}")

    with step("b. sit/start for roster 1 completes with the lineup"):
        first = start_sit_start()
        t = wait_completed_with_lineup(first)
        print(f"   task {first}: {t['rows']} lineup rows, {t['changed']} changed")
        # The history lists it; clicking it shows its result.
        row = f'#history tr[data-job-id="{first}"]'
        wait(f"task {first} in the history", lambda: js(f"return !!document.querySelector('{row}')"))
        driver.find_element(By.CSS_SELECTOR, row).click()
        wait("the history detail with the lineup", lambda: js(
            "return document.querySelectorAll('#history-detail table.lineup tbody tr').length") == 10)
        print("   screenshot:", screenshot("01-sit-start.png"))

    with step("c. reconnect during a task"):
        work.stop()
        second = start_sit_start()
        wait(f"task {second} pending", lambda: (task(second) or {}).get("status") == "pending")
        serve.stop()
        wait_connection("reconnecting")
        print("   screenshot:", screenshot("02a-reconnecting.png"))
        start_server()
        wait_connection("connected")
        states = js("return window.__states")
        print(f"   connection states seen: {' → '.join(states)}")
        if "reconnecting" not in states:
            raise Failure(f"the indicator never showed reconnecting: {states}")
        if (task(second) or {}).get("status") != "pending":
            raise Failure(f"task {second} should still be pending with no worker: {task(second)}")
        work.start()
        t = wait_completed_with_lineup(second)
        print(f"   task {second}: completed after the restart, {t['rows']} lineup rows, {t['changed']} changed")
        print("   screenshot:", screenshot("02-reconnected.png"))

    with step("d. a notification from psql shows as a toast"):
        title = "Test Player (WR, KC): Out"
        psql("SELECT queue.notify_user('alice', 'injury', 'Test Player (WR, KC): Out', 'Questionable → Out')")
        wait(f"a toast titled {title!r}", lambda: js("""
            return [...document.querySelectorAll('.toast')].some(t =>
                t.dataset.type === 'injury' && t.querySelector('.toast-title').textContent === arguments[0] &&
                t.getAnimations().every(a => a.playState === 'finished'))""", title))
        print("   screenshot:", screenshot("03-notification.png"))
        if args.update_readme_screenshot:
            path = os.path.join(ROOT, "docs", "dashboard.png")
            driver.set_window_size(1280, 1280)
            js("window.scrollTo(0, 0)")
            wait("the toast still showing", lambda: js("return !!document.querySelector('.toast[data-type=injury]:not(.leaving)')"))
            driver.save_screenshot(path)
            driver.set_window_size(1280, 1000)
            screenshots.append(path)
            print("   README screenshot:", path)
        wait("the notification in the feed", lambda: js("""
            return [...document.querySelectorAll('#feed .notification')].some(n => n.textContent.includes(arguments[0]))""", title))

    with step("e. phone width: one column"):
        driver.set_window_size(390, 844)
        wait("a single column at 390 px", lambda: js("""
            const [a, b] = document.querySelectorAll('#app-view > .column')
            return a.getBoundingClientRect().left === b.getBoundingClientRect().left &&
                   document.documentElement.scrollWidth <= window.innerWidth + 1"""))
        print("   screenshot:", screenshot("04-phone.png"))
        driver.set_window_size(1280, 1000)

    check_no_errors()  # before f: signing in as another user clears the banner

    with step("f. admin: the operations view"):
        driver.get(f"{BASE}/#token={token('ops', admin=True)}")
        wait_connection("connected")
        wait("the operations view", lambda: js("return !document.getElementById('ops').hidden"))
        wait("queue stats rows", lambda: js("return document.querySelectorAll('#stats tr[data-queue]').length > 0"))
        wait("the monitor-injuries schedule", lambda: js("return !!document.querySelector('#schedules tr[data-schedule=\"monitor-injuries\"]')"))
        driver.find_element(By.CSS_SELECTOR, '#schedules tr[data-schedule="monitor-injuries"] button').click()
        wait("a run-now toast", lambda: js("""
            return [...document.querySelectorAll('.toast')].some(t => /monitor-injuries: job #\\d+ enqueued/.test(t.textContent))"""))
        driver.find_element(By.CSS_SELECTOR, '#schedules tr[data-schedule="monitor-injuries"] input[type=checkbox]').click()
        wait("monitor-injuries disabled", lambda: js(
            "return document.querySelector('#schedules tr[data-schedule=\"monitor-injuries\"]')?.dataset.enabled === 'false'"))
        print("   screenshot:", screenshot("05-operations.png"))

    check_no_errors()


def save_console(name="console.log"):
    try:
        entries = driver.get_log("browser")
    except Exception as e:  # the session may be gone
        entries = [{"level": "?", "message": f"could not read the console: {e}"}]
    path = os.path.join(ART, name)
    with open(path, "w") as f:
        for e in entries:
            f.write(f"{e.get('level')} {e.get('message')}\n")
    return path


def main():
    status = 0
    try:
        scenario()
        print(f"check-browser: OK in {time.monotonic() - started:.1f} s")
    except (Failure, WebDriverException, subprocess.CalledProcessError, OSError) as e:
        status = 1
        detail = e.stderr if isinstance(e, subprocess.CalledProcessError) and e.stderr else ""
        print(f"check-browser: FAILED: {e} {detail}".rstrip(), file=sys.stderr)
        if driver is not None:
            try:
                print("   failure screenshot:", screenshot("failure.png"), file=sys.stderr)
                with open(os.path.join(ART, "failure.html"), "w") as f:
                    f.write(driver.page_source)
                print("   page errors:", banner_errors(), file=sys.stderr)
            except Exception as inner:
                print(f"   (no screenshot: {inner})", file=sys.stderr)
        for p in (serve, work):
            print(f"   ---- last lines of {p.log_path}\n{p.tail()}", file=sys.stderr)
    finally:
        if driver is not None:
            path = save_console()
            if status:
                print("   browser console log:", path, file=sys.stderr)
            try:
                driver.quit()
            except Exception:
                pass
        for p in (work, serve):
            try:
                p.stop(timeout=15)
            except Failure as e:
                print(f"check-browser: {e}", file=sys.stderr)
    if timings:
        print("timings: " + ", ".join(f"{name.split(' ')[0]} {t:.1f}s" for name, t in timings))
    if screenshots:
        print("screenshots:\n  " + "\n  ".join(screenshots))
    return status


if __name__ == "__main__":
    sys.exit(main())
