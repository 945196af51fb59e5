#!/usr/bin/env python3
"""Drive pgpooladmin's page in headless Chromium (python3-selenium).

Used by test/t/081_admin_ui.pl.  Logs in, waits for both backend nodes,
detaches one from the page and waits until the page shows it down, then
changes a parameter in the pgpool.conf editor and saves it.  Prints one
line per step reached ("STEP name"); a screenshot of each step goes to
--shots.  Exit status 0 when every step passed, 1 otherwise, 77 when
selenium or the browser cannot start (the test then skips).
"""
import argparse
import os
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:  # pragma: no cover
    print("SKIP selenium is not installed: %s" % e)
    sys.exit(77)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--node", default="1")
    p.add_argument("--param", default="client_idle_limit")
    p.add_argument("--value", default="55")
    p.add_argument("--shots", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return p.parse_args()


def start_browser(a):
    opts = webdriver.ChromeOptions()
    opts.binary_location = a.chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions",
                "--user-data-dir=" + os.path.join(a.shots, "profile")):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(a.chromedriver), options=opts)


def shot(drv, a, name):
    drv.save_screenshot(os.path.join(a.shots, name + ".png"))


def step(name):
    print("STEP " + name, flush=True)


def node_status(drv, node):
    # the page rebuilds the table every few seconds: an element may go stale
    try:
        cells = drv.find_elements(By.CSS_SELECTOR, "#nodes-table tr[data-node-id='%s'] .node-status" % node)
        return cells[0].text if cells else ""
    except StaleElementReferenceException:
        return ""


def run(drv, a):
    wait = WebDriverWait(drv, 30)
    drv.get(a.url)
    wait.until(EC.visibility_of_element_located((By.ID, "login-form")))
    shot(drv, a, "01-login")
    drv.find_element(By.ID, "login-user").send_keys(a.user)
    drv.find_element(By.ID, "login-password").send_keys(a.password)
    drv.find_element(By.ID, "login-submit").click()
    wait.until(EC.visibility_of_element_located((By.ID, "app")))
    step("logged-in")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#nodes-table tbody tr")) == 2)
    shot(drv, a, "02-status")
    step("two-nodes")

    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button.detach[data-node='%s']" % a.node)))
    drv.execute_script("document.querySelector(\"button.detach[data-node='%s']\").click()" % a.node)
    wait.until(EC.alert_is_present())
    drv.switch_to.alert.accept()
    wait.until(lambda d: node_status(d, a.node) == "down")
    shot(drv, a, "03-detached")
    step("node-down")

    drv.find_element(By.ID, "tab-config").click()
    field = wait.until(EC.visibility_of_element_located((By.ID, "param-" + a.param)))
    field.clear()
    field.send_keys(a.value)
    drv.find_element(By.ID, "config-save").click()
    wait.until(lambda d: "saved" in d.find_element(By.ID, "config-message").text)
    shot(drv, a, "04-config-saved")
    step("config-saved")


def main():
    a = parse_args()
    os.makedirs(a.shots, exist_ok=True)
    try:
        drv = start_browser(a)
    except Exception as e:  # the browser or driver cannot start here
        print("SKIP cannot start headless chromium: %s" % str(e).splitlines()[0])
        return 77
    try:
        run(drv, a)
        return 0
    except Exception as e:
        print("FAIL %s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        try:
            shot(drv, a, "99-failure")
            print("PAGE-MESSAGE " + drv.find_element(By.ID, "message").text)
        except Exception:
            pass
        return 1
    finally:
        drv.quit()


if __name__ == "__main__":
    sys.exit(main())
