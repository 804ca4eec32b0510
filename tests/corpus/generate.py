#!/usr/bin/env python3
"""Labeled corpus generator for measuring secret-scanner recall and precision.

    generate.py --out DIR --seed N [--per-kind K]

Writes a tree of realistic project files into DIR, with K planted fake secrets of every kind in
KINDS and K decoys of every decoy kind in DECOYS, then DIR/labels.json (every planted secret:
path, line, secret, kind, family; encoded secrets also carry `encoded`) and DIR/decoys.json
(path, line, text, kind) for debugging. The same seed gives the same tree, byte for byte.

Every token is composed at run time from the provider's documented shape (prefix, alphabet,
length) with random.Random(seed); none is real. Prefixes are written split (e.g. "gh" + "p_") so
this file holds no complete token: keyfence scans its own repository, and this file must stay
clean. Python 3 standard library only.
"""

import argparse
import itertools
import base64
import json
import os
import string
import urllib.parse
import uuid

import random

import providers

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = LOWER + UPPER + DIGITS
HEX = "0123456789abcdef"
B36 = LOWER + DIGITS
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"

# Random secret values never contain these (scanners treat them as placeholders, and a planted
# secret must be unambiguous).
FORBIDDEN = ("test", "example", "sample", "dummy", "fake", "xxxx", "your", "1234567", "abcdefgh")

SERVICES = ["billing", "dispatch", "payroll", "inventory", "scheduler", "notifier", "portal",
            "reports", "gateway", "sync", "invoicing", "crm", "pricebook", "timesheets", "fleet",
            "webhooks", "memberships", "estimates", "marketing", "warehouse"]


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def rbytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def clean(value):
    low = value.lower()
    return not any(word in low for word in FORBIDDEN)


def fresh(rng, make):
    """Calls make() until its value holds none of the FORBIDDEN substrings."""
    for _ in range(1000):
        value = make()
        if clean(value):
            return value
    raise RuntimeError("could not draw a clean value")


def b64(data):
    return base64.b64encode(data).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def max_run(s):
    best = run = 1
    for a, b in zip(s, s[1:]):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return best


# ---------------------------------------------------------------------------------------------
# Secret kinds. Each generator returns a dict:
#   secret  the exact token string (what labels.json records)
#   value   the text put in the value slot (default: secret), e.g. a whole connection string
#   names   plausible variable names, UPPER_SNAKE (reshaped per file format)
#   header  optional HTTP header template for curl lines in docs and scripts ("{v}" = value)
#   raw     optional [(format, line template)] alternatives (e.g. .npmrc)
# ---------------------------------------------------------------------------------------------

def st_body(rng, n):
    def make():
        while True:
            body = rs(rng, B36, n)
            if sum(c.isdigit() for c in body) >= 2 and max_run(body) <= 3:
                return body
    return make()


def g_st_app_key(rng):
    s = fresh(rng, lambda: "ak" + "1." + st_body(rng, 25))
    return dict(secret=s, names=["ST_APP_KEY", "SERVICETITAN_APP_KEY", "REACT_APP_ST_APP_KEY",
                                 "NEXT_PUBLIC_ST_APP_KEY", "VITE_ST_APP_KEY"],
                header="ST-App-Key: {v}")


def g_st_client_id(rng):
    s = fresh(rng, lambda: "ci" + "d." + st_body(rng, 25))
    return dict(secret=s, names=["ST_CLIENT_ID", "SERVICETITAN_CLIENT_ID", "ST_PROD_CLIENT_ID"])


def g_st_client_secret(rng):
    n = rng.choice([1, 1, 2, 4, 5, 9, 12])
    s = fresh(rng, lambda: "c" + "s%d." % n + st_body(rng, 50))
    return dict(secret=s, names=["ST_CLIENT_SECRET", "SERVICETITAN_CLIENT_SECRET",
                                 "ST_PROD_CLIENT_SECRET"],
                form="grant_type=client_credentials&client_id=$ST_CLIENT_ID&client_secret={v}")


def g_st_webhook(rng):
    s = fresh(rng, lambda: rs(rng, ALNUM, rng.choice([32, 40, 44, 64])))
    return dict(secret=s, names=["ST_WEBHOOK_HMAC_KEY", "SERVICETITAN_WEBHOOK_SECRET"])


def g_aws_id(rng):
    s = fresh(rng, lambda: rng.choice(["AK", "AS"]) + "IA" + rs(rng, UPPER + "234567", 16))
    return dict(secret=s, names=["AWS_ACCESS_KEY_ID", "S3_ACCESS_KEY_ID", "AWS_KEY_ID"],
                raw=[("ini", "aws_access_key_id = {v}")])


def g_aws_secret(rng):
    s = fresh(rng, lambda: rs(rng, ALNUM, 6) + rs(rng, B64, 33) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["AWS_SECRET_ACCESS_KEY", "S3_SECRET_ACCESS_KEY"],
                raw=[("ini", "aws_secret_access_key = {v}")])


def g_gcp_api_key(rng):
    s = fresh(rng, lambda: "AI" + "za" + rs(rng, B64URL, 34) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["GOOGLE_API_KEY", "GOOGLE_MAPS_API_KEY", "FIREBASE_API_KEY"],
                url="https://maps.googleapis.com/maps/api/geocode/json?address=Denver&key={v}")


def g_azure_storage(rng):
    s = fresh(rng, lambda: b64(rbytes(rng, 64)))
    acct = rng.choice(SERVICES) + "store" + rs(rng, DIGITS, 2)
    value = ("DefaultEndpointsProtocol=https;AccountName=%s;Account" % acct + "Key=" + s +
             ";EndpointSuffix=core.windows.net")
    return dict(secret=s, value=value, names=["AZURE_STORAGE_CONNECTION_STRING",
                                              "STORAGE_CONNECTION_STRING"])


def g_azure_ad(rng):
    s = fresh(rng, lambda: rs(rng, ALNUM, 3) + rs(rng, DIGITS, 1) + "Q" + "~" +
              rs(rng, ALNUM + "_~.-", 33) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["AZURE_CLIENT_SECRET", "AAD_CLIENT_SECRET", "ARM_CLIENT_SECRET"])


def g_do(rng):
    s = fresh(rng, lambda: "do" + "p_v1_" + rs(rng, HEX, 64))
    return dict(secret=s, names=["DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"],
                header="Authorization: Bearer {v}")


def g_heroku(rng):
    s = fresh(rng, lambda: "HR" + "KU-AA" + rs(rng, B64URL, 57) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["HEROKU_API_KEY"], header="Authorization: Bearer {v}")


def g_cloudflare(rng):
    s = fresh(rng, lambda: rs(rng, ALNUM, 1) + rs(rng, B64URL, 38) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["CLOUDFLARE_API_TOKEN"])


def g_gh(prefix):
    def gen(rng):
        s = fresh(rng, lambda: prefix + rs(rng, ALNUM, 36))
        return dict(secret=s, names=["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_DEPLOY_TOKEN"],
                    header=rng.choice(["Authorization: token {v}", "Authorization: Bearer {v}"]),
                    url="https://x-access-token:{v}@github.com/acme-fieldops/infra.git")
    return gen


def g_gh_fine(rng):
    s = fresh(rng, lambda: "git" + "hub_pat_" + rs(rng, ALNUM, 22) + "_" + rs(rng, ALNUM, 59))
    return dict(secret=s, names=["GITHUB_TOKEN", "GH_PAT", "RENOVATE_TOKEN"],
                header="Authorization: Bearer {v}")


def g_gitlab(rng):
    s = fresh(rng, lambda: "gl" + "pat-" + rs(rng, B64URL, 19) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["GITLAB_TOKEN", "GITLAB_PRIVATE_TOKEN", "GL_TOKEN"],
                header="PRIVATE-TOKEN: {v}")


def g_npm(rng):
    s = fresh(rng, lambda: "np" + "m_" + rs(rng, ALNUM, 36))
    return dict(secret=s, names=["NPM_TOKEN", "NODE_AUTH_TOKEN"],
                raw=[("npmrc", "//registry.npmjs.org/:_authToken={v}")])


def g_pypi(rng):
    # A PyPI token is "pypi-" + a base64url macaroon whose first bytes spell the location.
    head = b64url(b"\x02\x01\x08" + b"pypi" + b".org")[:15]
    s = fresh(rng, lambda: "py" + "pi-" + head + rs(rng, B64URL, rng.randint(120, 170)) +
              rs(rng, ALNUM, 1))
    return dict(secret=s, names=["PYPI_TOKEN", "PYPI_API_TOKEN", "TWINE_PASSWORD"],
                raw=[("pypirc", "password = {v}")])


def g_docker(rng):
    s = fresh(rng, lambda: "dc" + "kr_pat_" + rs(rng, B64URL, 26) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["DOCKERHUB_TOKEN", "DOCKER_PASSWORD", "DOCKERHUB_PAT"])


def g_nuget(rng):
    s = fresh(rng, lambda: "oy" + "2" + rs(rng, B36, 43))
    return dict(secret=s, names=["NUGET_API_KEY", "NUGET_AUTH_TOKEN"])


def g_rubygems(rng):
    s = fresh(rng, lambda: "ruby" + "gems_" + rs(rng, HEX, 48))
    return dict(secret=s, names=["GEM_HOST_API_KEY", "RUBYGEMS_API_KEY"])


def g_crates(rng):
    s = fresh(rng, lambda: "ci" + "o" + rs(rng, ALNUM, 32))
    return dict(secret=s, names=["CARGO_REGISTRY_TOKEN", "CRATES_IO_TOKEN"])


def g_stripe(rng):
    s = fresh(rng, lambda: "sk" + "_live_" + rs(rng, ALNUM, rng.choice([24, 24, 34, 99])))
    return dict(secret=s, names=["STRIPE_SECRET_KEY", "STRIPE_API_KEY", "STRIPE_KEY"],
                header="Authorization: Bearer {v}")


def g_square(rng):
    s = fresh(rng, lambda: "EA" + "AA" + rs(rng, B64URL, 59) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["SQUARE_ACCESS_TOKEN"], header="Authorization: Bearer {v}")


def g_square_secret(rng):
    s = fresh(rng, lambda: "sq0" + "csp-" + rs(rng, B64URL, 42) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["SQUARE_APPLICATION_SECRET", "SQUARE_OAUTH_SECRET"])


def g_braintree(rng):
    s = fresh(rng, lambda: "access" + "_token$production$" + rs(rng, B36, 16) + "$" +
              rs(rng, HEX, 32))
    return dict(secret=s, names=["BRAINTREE_ACCESS_TOKEN", "PAYPAL_ACCESS_TOKEN"])


def g_shopify(rng):
    s = fresh(rng, lambda: "sh" + "pat_" + rs(rng, HEX, 32))
    return dict(secret=s, names=["SHOPIFY_ACCESS_TOKEN", "SHOPIFY_ADMIN_TOKEN"],
                header="X-Shopify-Access-Token: {v}")


def g_slack_bot(rng):
    s = fresh(rng, lambda: "xo" + "xb-" + rs(rng, DIGITS, rng.randint(10, 13)) + "-" +
              rs(rng, DIGITS, rng.randint(10, 13)) + "-" + rs(rng, ALNUM, 24))
    return dict(secret=s, names=["SLACK_BOT_TOKEN", "SLACK_TOKEN"],
                header="Authorization: Bearer {v}")


def g_slack_webhook(rng):
    s = fresh(rng, lambda: "https://hooks.sl" + "ack.com/services/T" +
              rs(rng, UPPER + DIGITS, rng.randint(8, 10)) + "/B" +
              rs(rng, UPPER + DIGITS, rng.randint(8, 10)) + "/" + rs(rng, ALNUM, 24))
    return dict(secret=s, names=["SLACK_WEBHOOK_URL", "ALERTS_WEBHOOK_URL"])


def g_twilio(rng):
    s = fresh(rng, lambda: "S" + "K" + rs(rng, HEX, 32))
    return dict(secret=s, names=["TWILIO_API_KEY", "TWILIO_API_KEY_SID"])


def g_sendgrid(rng):
    s = fresh(rng, lambda: "S" + "G." + rs(rng, B64URL, 22) + "." + rs(rng, B64URL, 42) +
              rs(rng, ALNUM, 1))
    return dict(secret=s, names=["SENDGRID_API_KEY", "SMTP_PASSWORD"],
                header="Authorization: Bearer {v}")


def g_mailgun(rng):
    s = fresh(rng, lambda: "ke" + "y-" + rs(rng, HEX, 32))
    return dict(secret=s, names=["MAILGUN_API_KEY"], basic="api:{v}")


def g_mailchimp(rng):
    s = fresh(rng, lambda: rs(rng, HEX, 32) + "-us" + str(rng.randint(1, 21)))
    return dict(secret=s, names=["MAILCHIMP_API_KEY", "MAILCHIMP_KEY"])


def g_discord(rng):
    s = fresh(rng, lambda: "https://discord.com/api/web" + "hooks/" +
              rs(rng, "123456789", 1) + rs(rng, DIGITS, 18) + "/" + rs(rng, B64URL, 67) +
              rs(rng, ALNUM, 1))
    return dict(secret=s, names=["DISCORD_WEBHOOK_URL", "DISCORD_WEBHOOK"])


def g_telegram(rng):
    s = fresh(rng, lambda: rs(rng, "123456789", 1) + rs(rng, DIGITS, rng.randint(7, 9)) + ":AA" +
              rs(rng, B64URL, 32) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["TELEGRAM_BOT_TOKEN", "TG_BOT_TOKEN"],
                url="https://api.telegram.org/bot{v}/sendMessage")


def g_openai(rng):
    mark = b64(b"Open" + b"AI")  # the marker every OpenAI key carries in its middle
    s = fresh(rng, lambda: "sk-" + "proj-" + rs(rng, B64URL, 74) + mark + rs(rng, B64URL, 73) +
              rs(rng, ALNUM, 1))
    return dict(secret=s, names=["OPENAI_API_KEY", "OPENAI_KEY"],
                header="Authorization: Bearer {v}")


def g_anthropic(rng):
    s = fresh(rng, lambda: "sk-" + "ant-api03-" + rs(rng, B64URL, 93) + "AA")
    return dict(secret=s, names=["ANTHROPIC_API_KEY", "CLAUDE_API_KEY"], header="x-api-key: {v}")


def g_hf(rng):
    s = fresh(rng, lambda: "h" + "f_" + rs(rng, LOWER + UPPER, 34))
    return dict(secret=s, names=["HF_TOKEN", "HUGGINGFACE_TOKEN", "HUGGING_FACE_HUB_TOKEN"],
                header="Authorization: Bearer {v}")


def g_datadog(rng):
    s = fresh(rng, lambda: rs(rng, HEX, 32))
    return dict(secret=s, names=["DD_API_KEY", "DATADOG_API_KEY"], header="DD-API-KEY: {v}")


def g_newrelic(rng):
    s = fresh(rng, lambda: "NR" + "AK-" + rs(rng, UPPER + DIGITS, 27))
    return dict(secret=s, names=["NEW_RELIC_API_KEY", "NEWRELIC_USER_KEY"],
                header="Api-Key: {v}")


def g_sentry(rng):
    def make():
        claims = {"iat": rng.randint(1690000000, 1750000000) + rng.random(),
                  "url": "https://sentry.io", "region_url": "https://us.sentry.io",
                  "org": rng.choice(SERVICES) + "-co"}
        return "sn" + "trys_" + b64(json.dumps(claims, separators=(",", ":")).encode()) + "_" + \
            rs(rng, B64, 42) + rs(rng, ALNUM, 1)
    s = fresh(rng, make)
    return dict(secret=s, names=["SENTRY_AUTH_TOKEN"], header="Authorization: Bearer {v}")


def g_okta(rng):
    s = fresh(rng, lambda: "00" + rs(rng, B64URL, 39) + rs(rng, ALNUM, 1))
    return dict(secret=s, names=["OKTA_API_TOKEN", "OKTA_TOKEN"], header="Authorization: SSWS {v}")


def g_atlassian(rng):
    s = fresh(rng, lambda: "ATA" + "TT3xFfGF0" + rs(rng, B64URL, 170) + rs(rng, ALNUM, 1) + "=" +
              rs(rng, "0123456789ABCDEF", 8))
    return dict(secret=s, names=["ATLASSIAN_API_TOKEN", "JIRA_API_TOKEN", "CONFLUENCE_TOKEN"],
                basic="ops@acme-fieldops.com:{v}")


def g_jwt(rng):
    def make():
        if rng.random() < 0.5:  # a ServiceTitan-style access token
            header = {"alg": "RS256", "kid": rs(rng, HEX, 40).upper(), "typ": "at+jwt"}
            now = rng.randint(1690000000, 1750000000)
            body = {"iss": "https://auth.servicetitan.io", "nbf": now, "iat": now,
                    "exp": now + 900, "aud": "api", "client_id": "ci" + "d." + st_body(rng, 25),
                    "tenant": str(rng.randint(100000000, 3999999999)), "jti": rs(rng, HEX, 32)}
            sig = b64url(rbytes(rng, 256))
        else:
            header = {"alg": "HS256", "typ": "JWT"}
            now = rng.randint(1690000000, 1750000000)
            body = {"sub": str(rng.randint(10000, 99999999)), "role": "admin", "iat": now,
                    "exp": now + 86400 * 30}
            sig = b64url(rbytes(rng, 32))
        enc = lambda d: b64url(json.dumps(d, separators=(",", ":")).encode())
        return enc(header) + "." + enc(body) + "." + sig
    s = fresh(rng, make)
    return dict(secret=s, names=["ACCESS_TOKEN", "JWT", "SESSION_JWT", "ST_ACCESS_TOKEN"],
                header="Authorization: Bearer {v}")


def g_conn(scheme, default_port, names, path):
    def gen(rng):
        pw = fresh(rng, lambda: rs(rng, ALNUM, rng.randint(16, 28)))
        user = rng.choice(["app", "svc_" + rng.choice(SERVICES), "admin", "deploy", "readonly"])
        host = rng.choice(["db", "primary", "cache", "mq", "cluster0"]) + "." + \
            rng.choice(SERVICES) + ".internal.acme-fieldops.net"
        if scheme == "redis":
            value = "redis://:%s@%s:%d/0" % (pw, host, default_port)
        elif scheme == "mongodb+srv":
            value = "mongodb+srv://%s:%s@%s/%s?retryWrites=true&w=majority" % (user, pw, host, path)
        elif scheme == "https":
            value = "https://%s:%s@%s/%s" % (user, pw, host.replace("db.", "artifacts."), path)
        else:
            value = "%s://%s:%s@%s:%d/%s" % (scheme, user, pw, host, default_port, path)
        return dict(secret=pw, value=value, names=names)
    return gen


def g_generic(names, symbols=""):
    def gen(rng):
        if symbols:
            s = fresh(rng, lambda: rs(rng, ALNUM, 2) +
                      "".join(rng.choice(ALNUM + symbols) for _ in range(rng.randint(12, 22))) +
                      rs(rng, ALNUM, 2))
        else:
            s = fresh(rng, lambda: rs(rng, ALNUM, rng.choice([32, 40, 48])))
        return dict(secret=s, names=names)
    return gen


KINDS = [
    # kind, family, generator
    ("servicetitan-app-key", "servicetitan", g_st_app_key),
    ("servicetitan-client-id", "servicetitan", g_st_client_id),
    ("servicetitan-client-secret", "servicetitan", g_st_client_secret),
    ("servicetitan-webhook-hmac-key", "servicetitan", g_st_webhook),
    ("aws-access-key-id", "cloud", g_aws_id),
    ("aws-secret-access-key", "cloud", g_aws_secret),
    ("gcp-api-key", "cloud", g_gcp_api_key),
    ("gcp-service-account", "cloud", None),
    ("azure-storage-account-key", "cloud", g_azure_storage),
    ("azure-ad-client-secret", "cloud", g_azure_ad),
    ("digitalocean-token", "cloud", g_do),
    ("heroku-api-key", "cloud", g_heroku),
    ("cloudflare-api-token", "cloud", g_cloudflare),
    ("github-pat", "code-hosting", g_gh("gh" + "p_")),
    ("github-oauth-token", "code-hosting", g_gh("gh" + "o_")),
    ("github-app-token", "code-hosting", g_gh("gh" + "s_")),
    ("github-fine-grained-pat", "code-hosting", g_gh_fine),
    ("gitlab-pat", "code-hosting", g_gitlab),
    ("npm-token", "code-hosting", g_npm),
    ("pypi-token", "code-hosting", g_pypi),
    ("dockerhub-pat", "code-hosting", g_docker),
    ("nuget-api-key", "code-hosting", g_nuget),
    ("rubygems-api-key", "code-hosting", g_rubygems),
    ("crates-io-token", "code-hosting", g_crates),
    ("stripe-secret-key", "payments", g_stripe),
    ("square-access-token", "payments", g_square),
    ("square-oauth-secret", "payments", g_square_secret),
    ("braintree-access-token", "payments", g_braintree),
    ("shopify-access-token", "payments", g_shopify),
    ("slack-bot-token", "messaging", g_slack_bot),
    ("slack-webhook-url", "messaging", g_slack_webhook),
    ("twilio-api-key", "messaging", g_twilio),
    ("sendgrid-api-key", "messaging", g_sendgrid),
    ("mailgun-api-key", "messaging", g_mailgun),
    ("mailchimp-api-key", "messaging", g_mailchimp),
    ("discord-webhook-url", "messaging", g_discord),
    ("telegram-bot-token", "messaging", g_telegram),
    ("openai-api-key", "ai", g_openai),
    ("anthropic-api-key", "ai", g_anthropic),
    ("huggingface-token", "ai", g_hf),
    ("datadog-api-key", "observability", g_datadog),
    ("newrelic-user-key", "observability", g_newrelic),
    ("sentry-org-token", "observability", g_sentry),
    ("okta-api-token", "identity", g_okta),
    ("atlassian-api-token", "identity", g_atlassian),
    ("jwt", "identity", g_jwt),
    ("private-key-rsa", "private-keys", None),
    ("private-key-ec", "private-keys", None),
    ("private-key-openssh", "private-keys", None),
    ("private-key-pkcs8", "private-keys", None),
    ("private-key-pgp", "private-keys", None),
    ("postgres-url", "connection-strings",
     g_conn("postgres", 5432, ["DATABASE_URL", "POSTGRES_URL", "PG_DSN"], "app")),
    ("mysql-url", "connection-strings",
     g_conn("mysql", 3306, ["MYSQL_URL", "DATABASE_URL", "LEGACY_DB_URL"], "dispatch")),
    ("mongodb-url", "connection-strings",
     g_conn("mongodb+srv", 27017, ["MONGODB_URI", "MONGO_URL"], "events")),
    ("redis-url", "connection-strings", g_conn("redis", 6379, ["REDIS_URL", "CACHE_URL"], "")),
    ("amqp-url", "connection-strings",
     g_conn("amqp", 5672, ["AMQP_URL", "RABBITMQ_URL", "BROKER_URL"], "jobs")),
    ("https-userinfo-url", "connection-strings",
     g_conn("https", 443, ["PACKAGE_INDEX_URL", "ARTIFACTORY_URL", "REGISTRY_MIRROR"],
            "api/pypi/simple")),
    ("generic-client-secret", "generic",
     g_generic(["CLIENT_SECRET", "OAUTH_CLIENT_SECRET", "AUTH0_CLIENT_SECRET"])),
    ("generic-api-key", "generic", g_generic(["API_KEY", "PARTNER_API_KEY", "X_API_KEY"])),
    ("generic-password", "generic",
     g_generic(["PASSWORD", "DB_PASSWORD", "ADMIN_PASSWORD", "SMTP_PASS"], "!#%^*_-+=.")),
    ("generic-auth-token", "generic", g_generic(["AUTH_TOKEN", "SERVICE_AUTH_TOKEN", "API_TOKEN"])),
    ("encoded-k8s-secret", "encoded", None),
    ("encoded-basic-auth", "encoded", None),
    ("encoded-percent-url", "encoded", None),
    ("encoded-base64-env", "encoded", None),
]

FAMILY = {k: f for k, f, _ in KINDS}
GEN = {k: g for k, _, g in KINDS}

# Kinds whose token is handy to hide inside an encoded form.
ENCODABLE = ["servicetitan-client-secret", "servicetitan-app-key", "github-pat", "stripe-secret-key",
             "sendgrid-api-key", "openai-api-key", "slack-bot-token", "aws-secret-access-key",
             "generic-api-key", "anthropic-api-key"]


# ---------------------------------------------------------------------------------------------
# PEM blocks, built from DER-looking bytes so the bodies start the way real ones do.
# ---------------------------------------------------------------------------------------------

def dashes(word):
    return "-----" + word + "-----"


def pem(label, der, width=64):
    body = b64(der)
    return ([dashes("BEGIN " + label)] + [body[i:i + width] for i in range(0, len(body), width)] +
            [dashes("END " + label)])


PRIV = "PRIV" + "ATE KEY"


def crc24(data):
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def private_key_block(rng, kind):
    def make():
        if kind == "private-key-rsa":
            return pem("RSA " + PRIV, bytes.fromhex("308204a40201000282010100") + rbytes(rng, 1180))
        if kind == "private-key-ec":
            return pem("EC " + PRIV, bytes.fromhex("30770201010420") + rbytes(rng, 32) +
                       bytes.fromhex("a00a06082a8648ce3d030107a144034200") + b"\x04" + rbytes(rng, 64))
        if kind == "private-key-pkcs8":
            return pem(PRIV, bytes.fromhex("308204be020100300d06092a864886f70d0101010500048204a8") +
                       rbytes(rng, 1192))
        if kind == "private-key-openssh":
            head = b"openssh-key-v1\x00" + b"\x00\x00\x00\x04none" * 2 + b"\x00\x00\x00\x00\x00\x00\x00\x01"
            return pem("OPENSSH " + PRIV, head + b"\x00\x00\x00\x33\x00\x00\x00\x0bssh-ed25519" +
                       rbytes(rng, 330), width=70)
        data = bytes.fromhex("9503980465") + rbytes(rng, 900)
        body = b64(data)
        check = "=" + b64(crc24(data).to_bytes(3, "big"))
        label = "PGP " + PRIV + " BLOCK"
        return ([dashes("BEGIN " + label), "", ] + [body[i:i + 64] for i in range(0, len(body), 64)] +
                [check, dashes("END " + label)])
    for _ in range(100):
        block = make()
        if clean("\n".join(block)):
            return block
    raise RuntimeError("no clean key block")


# ---------------------------------------------------------------------------------------------
# Names and file formats.
# ---------------------------------------------------------------------------------------------

def camel(name):
    parts = name.lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def pascal(name):
    return "".join(p.capitalize() for p in name.lower().split("_"))


KV_FORMATS = ["env", "yaml", "compose", "k8s", "tf", "py", "js", "json", "sh", "java", "cs", "go",
              "md"]


class Host:
    """One file being built: header, body lines, footer, and the names already used in it."""

    def __init__(self, path, fmt, header, footer, cap):
        self.path, self.fmt, self.header, self.footer, self.cap = path, fmt, header, footer, cap
        self.body = []
        self.entries = 0
        self.names = set()
        self.labels = []   # (body index, label dict)
        self.decoys = []   # (body index, decoy dict)

    def unique(self, name):
        base, n = name, 2
        while name in self.names:
            name = "%s_%d" % (base, n)
            n += 1
        self.names.add(name)
        return name


def kv_lines(fmt, name, value, rng, quote_hint=None):
    """Lines that assign value to name in fmt, and the index of the line holding the value."""
    up, sn, cm, pc = name, name.lower(), camel(name), pascal(name)
    sq = "$" in value or "!" in value  # shells expand these in double quotes
    if fmt == "compose" and "$" in value:
        fmt = "yaml"  # compose would need `$$`, which no scanner reads back as `$`
    if fmt == "env":
        return [rng.choice(["%s=%s", '%s="%s"']) % (up, value)] if not sq else ["%s='%s'" % (up, value)], 0
    if fmt == "sh":
        return ["export %s='%s'" % (up, value) if sq else 'export %s="%s"' % (up, value)], 0
    if fmt == "yaml":
        return ['%s: "%s"' % (sn, value)], 0
    if fmt == "compose":
        return ['      %s: "%s"' % (up, value)], 0
    if fmt == "k8s":
        return ["            - name: %s" % up, '              value: "%s"' % value], 1
    if fmt == "tf":
        return ['  %s = "%s"' % (sn, value.replace("${", "$${"))], 0
    if fmt == "py":
        if rng.random() < 0.3:
            return ['%s = os.environ.get("%s", "%s")' % (up, up, value)], 0
        return ['%s = "%s"' % (up, value)], 0
    if fmt == "js":
        if rng.random() < 0.3:
            return ['const %s = process.env.%s || "%s";' % (cm, up, value)], 0
        return ["const %s = '%s';" % (cm, value)], 0
    if fmt == "json":
        return ['  "%s": "%s",' % (cm, value)], 0
    if fmt == "java":
        return ['    private static final String %s = "%s";' % (up, value)], 0
    if fmt == "cs":
        return ['        public const string %s = "%s";' % (pc, value)], 0
    if fmt == "go":
        return ['\t%s = "%s"' % (pc, value)], 0
    if fmt == "md":
        return ["```bash", "export %s='%s'" % (up, value), "```"], 1
    if fmt in ("ini", "pypirc", "npmrc"):
        return ["%s = %s" % (sn, value)], 0
    raise ValueError(fmt)


FILLER = [("LOG_LEVEL", "info"), ("PORT", "8080"), ("REGION", "us-east-1"), ("TIMEOUT_SECONDS", "30"),
          ("API_BASE_URL", "https://api.servicetitan.io"), ("AUTH_URL", "https://auth.servicetitan.io"),
          ("NODE_ENV", "production"), ("FEATURE_NEW_DISPATCH", "true"), ("MAX_RETRIES", "5"),
          ("CACHE_TTL", "300"), ("SERVICE_NAME", "dispatch-sync"), ("METRICS_ENABLED", "false"),
          ("QUEUE_NAME", "jobs-default"), ("TZ", "America/Denver"), ("PAGE_SIZE", "50")]

PROSE = ["The service reads its settings from the environment at start-up.",
         "Rotate credentials through the vault workflow, then redeploy.",
         "Run the sync job once after the migration to backfill the tables.",
         "The staging stack mirrors production with smaller instances.",
         "Ask the platform team before adding a new integration.",
         "Requests are retried with exponential back-off on 429 and 5xx."]


def headers(fmt, svc, rng):
    Svc = svc.capitalize()
    if fmt == "env":
        return ["# %s service settings" % svc], []
    if fmt == "sh":
        return ["#!/usr/bin/env bash", "set -euo pipefail", "", "# deploy %s" % svc], \
               ["", "./bin/%s migrate && ./bin/%s serve" % (svc, svc)]
    if fmt == "yaml":
        return ["# %s configuration" % svc, "service: %s" % svc, "replicas: %d" % rng.randint(1, 6)], []
    if fmt == "compose":
        return ["services:", "  %s:" % svc, "    image: ghcr.io/acme-fieldops/%s:1.%d.%d" %
                (svc, rng.randint(0, 9), rng.randint(0, 30)), "    restart: unless-stopped",
                "    ports:", '      - "%d:8080"' % rng.randint(3000, 9000), "    environment:"], []
    if fmt == "k8s":
        return ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: %s" % svc,
                "spec:", "  replicas: 2", "  selector:", "    matchLabels:", "      app: %s" % svc,
                "  template:", "    metadata:", "      labels:", "        app: %s" % svc, "    spec:",
                "      containers:", "        - name: %s" % svc,
                "          image: ghcr.io/acme-fieldops/%s:latest" % svc, "          env:"], []
    if fmt == "tf":
        return ['terraform {', '  required_version = ">= 1.5"', '}', '', 'locals {'], ['}']
    if fmt == "py":
        return ['"""Settings for the %s service."""' % svc, "import os", ""], []
    if fmt == "js":
        return ["'use strict';", "", "// %s client configuration" % svc], \
               ["", "module.exports = { service: '%s' };" % svc]
    if fmt == "json":
        return ["{", '  "service": "%s",' % svc], ["}"]
    if fmt == "java":
        return ["package com.acme.%s;" % svc, "", "public final class %sConfig {" % Svc], \
               ["    private %sConfig() {}" % Svc, "}"]
    if fmt == "cs":
        return ["namespace Acme.%s" % Svc, "{", "    public static class Settings", "    {"], \
               ["    }", "}"]
    if fmt == "go":
        return ["package config", "", "// Settings for %s." % svc, "const ("], [")"]
    if fmt == "md":
        return ["# %s" % Svc, "", rng.choice(PROSE), ""], []
    if fmt == "css":
        return [".app-root {", "  display: flex;", "}"], []
    return [], []


def host_path(fmt, svc, rng):
    Svc = svc.capitalize()
    options = {
        "env": ["services/%s/.env" % svc, "services/%s/.env.production" % svc, "%s/.env.local" % svc],
        "sh": ["scripts/deploy-%s.sh" % svc, "scripts/%s-bootstrap.sh" % svc],
        "yaml": ["services/%s/config.yaml" % svc, "config/%s.yml" % svc],
        "compose": ["deploy/docker-compose.%s.yml" % svc, "%s/docker-compose.yml" % svc],
        "k8s": ["k8s/%s/deployment.yaml" % svc, "deploy/k8s/%s.yaml" % svc],
        "tf": ["infra/terraform/%s/main.tf" % svc, "infra/%s.tf" % svc],
        "py": ["services/%s/settings.py" % svc, "services/%s/%s/config.py" % (svc, svc)],
        "js": ["web/%s/src/app.js" % svc, "web/%s/src/config.js" % svc],
        "json": ["config/%s.json" % svc, "services/%s/appsettings.json" % svc,
                 "services/%s/servicepytan_config.json" % svc],
        "java": ["java/%s/src/main/java/com/acme/%s/%sConfig.java" % (svc, svc, Svc)],
        "cs": ["dotnet/%s/Settings.cs" % Svc],
        "go": ["go/%s/config/config.go" % svc],
        "md": ["docs/%s.md" % svc, "services/%s/README.md" % svc, "docs/runbooks/%s.md" % svc],
        "ini": ["deploy/%s/aws-credentials" % svc, "services/%s/.aws/credentials" % svc],
        "npmrc": ["web/%s/.npmrc" % svc],
        "pypirc": ["services/%s/.pypirc" % svc],
        "css": ["web/%s/src/styles.css" % svc],
    }
    return rng.choice(options[fmt])


class Corpus:
    def __init__(self, rng):
        self.rng = rng
        self.pending = {}   # fmt -> [(make, label, decoy)] waiting to be placed
        self.hosts = []
        self.files = []     # (path, text) written whole
        self.paths = set()
        self.labels = []
        self.decoys = []

    def new_path(self, make):
        for _ in range(200):
            path = make(self.rng.choice(SERVICES))
            if path not in self.paths:
                self.paths.add(path)
                return path
        # Every path of this format is taken (a large --per-kind): the same file name one folder
        # down (v2/, v3/…), so the name that tells the format stays as it is.
        folder, _, name = make(self.rng.choice(SERVICES)).rpartition("/")
        for n in itertools.count(2):
            path = "%s/v%d/%s" % (folder, n, name) if folder else "v%d/%s" % (n, name)
            if path not in self.paths:
                self.paths.add(path)
                return path

    def new_host(self, fmt):
        svc_holder = {}

        def make(svc):
            svc_holder["svc"] = svc
            return host_path(fmt, svc, self.rng)
        path = self.new_path(make)
        head, foot = headers(fmt, svc_holder["svc"], self.rng)
        h = Host(path, fmt, head, foot, self.rng.randint(4, 8))
        if fmt == "ini":
            h.body.append("[default]")
        if fmt == "npmrc":
            h.body.append("registry=https://registry.npmjs.org/")
        if fmt == "pypirc":
            h.body += ["[distutils]", "index-servers = pypi", "", "[pypi]", "username = __token__"]
        self.hosts.append(h)
        return h

    def filler(self, h):
        if h.fmt in ("ini", "npmrc", "pypirc", "css"):
            return
        for _ in range(self.rng.randint(0, 2)):
            if h.fmt == "md":
                h.body += [self.rng.choice(PROSE), ""]
                continue
            name, value = self.rng.choice(FILLER)
            if name in h.names:
                continue
            lines, _ = kv_lines(h.fmt, h.unique(name), value, self.rng)
            h.body += lines

    def add(self, fmt, lines, idx, label=None, decoy=None):
        """Queues an entry for some file of fmt. lines is a list, or a function of the Host
        returning (lines, idx); idx is the line of the secret inside lines."""
        make = lines if callable(lines) else (lambda h, lines=lines, idx=idx: (lines, idx))
        self.pending.setdefault(fmt, []).append((make, label, decoy))

    def add_kv(self, fmt, name, value, label=None, decoy=None):
        self.add(fmt, lambda h: kv_lines(fmt, h.unique(name), value, self.rng), None, label, decoy)

    def place(self):
        """Shuffles the queued entries of each format and deals them into files."""
        for fmt in sorted(self.pending):
            entries = self.pending[fmt]
            self.rng.shuffle(entries)
            h = None
            for make, label, decoy in entries:
                if h is None or h.entries >= h.cap:
                    h = self.new_host(fmt)
                self.filler(h)
                lines, idx = make(h)
                at = len(h.body) + idx
                h.body += lines
                if fmt == "md":
                    h.body.append("")
                h.entries += 1
                if label:
                    h.labels.append((at, label))
                if decoy:
                    h.decoys.append((at, decoy))

    def whole(self, path, lines, marks):
        """A file written as is; marks: [(line index, 'label'|'decoy', dict)]."""
        self.files.append((path, lines))
        for i, what, d in marks:
            d = dict(d, path=path, line=i + 1)
            (self.labels if what == "label" else self.decoys).append(d)

    def finish(self):
        self.place()
        out = []
        for h in self.hosts:
            body = list(h.body)
            if h.fmt == "json":
                for i in range(len(body) - 1, -1, -1):
                    if body[i].endswith(","):
                        body[i] = body[i][:-1]
                        break
            lines = h.header + body + h.footer
            for at, d in h.labels:
                self.labels.append(dict(d, path=h.path, line=len(h.header) + at + 1))
            for at, d in h.decoys:
                self.decoys.append(dict(d, path=h.path, line=len(h.header) + at + 1))
            out.append((h.path, lines))
        return out + self.files


def curl_line(url, header=None, data=None, basic=None):
    parts = ["curl -sS"]
    if header:
        parts.append('-H "%s"' % header)
    if basic:
        parts.append("-u '%s'" % basic)
    if data:
        parts.append("-d '%s'" % data)
    parts.append(url)
    return " ".join(parts)


API_URLS = ["https://api.acme-fieldops.com/v2/jobs", "https://api.servicetitan.io/jpm/v2/tenant/{t}/jobs",
            "https://hooks.acme-fieldops.com/ingest", "https://api.acme-fieldops.com/v1/status"]


def plant_simple(c, kind, k):
    rng = c.rng
    family = FAMILY[kind]
    for _ in range(k):
        p = GEN[kind](rng)
        secret, value = p["secret"], p.get("value", p["secret"])
        label = dict(secret=secret, kind=kind, family=family)
        name = rng.choice(p["names"])
        choice = rng.random()
        if p.get("raw") and choice < 0.3:
            fmt, tmpl = rng.choice(p["raw"])
            c.add(fmt, [tmpl.replace("{v}", value)], 0, label)
            continue
        if choice < 0.45 and (p.get("header") or p.get("form") or p.get("basic") or p.get("url")):
            fmt = rng.choice(["md", "sh"])
            tenant = str(rng.randint(100000000, 3999999999))
            url = rng.choice(API_URLS).replace("{t}", tenant)
            if p.get("form"):
                line = curl_line("https://auth.servicetitan.io/connect/token",
                                 header="Content-Type: application/x-www-form-urlencoded",
                                 data=p["form"].replace("{v}", value))
            elif p.get("basic"):
                line = curl_line(url, basic=p["basic"].replace("{v}", value))
            elif p.get("header"):
                line = curl_line(url, header=p["header"].replace("{v}", value))
            else:
                line = curl_line(p["url"].replace("{v}", value))
            if fmt == "md":
                c.add("md", ["```sh", line, "```"], 1, label)
            else:
                c.add("sh", [line], 0, label)
            continue
        c.add_kv(rng.choice(KV_FORMATS), name, value, label)


def plant_private_key(c, kind, k):
    rng = c.rng
    for _ in range(k):
        block = private_key_block(rng, kind)
        label = dict(kind=kind, family="private-keys")
        where = rng.choice(["file", "file", "md", "yaml", "escaped"])
        if where == "file":
            path = c.new_path(lambda svc: rng.choice(
                ["secrets/%s.key" % svc, "deploy/%s/id_%s" % (svc, kind.split("-")[-1]),
                 "certs/%s-key.pem" % svc, "keys/%s.asc" % svc if kind.endswith("pgp") else
                 "keys/%s.pem" % svc]))
            c.whole(path, block, [(0, "label", dict(label, secret="\n".join(block)))])
        elif where == "md":
            c.add("md", ["Deploy key for the build agents:", "", "```"] + block + ["```"], 3,
                  dict(label, secret="\n".join(block)))
        elif where == "yaml":
            c.add("yaml", ["%s: |" % rng.choice(["tls_key", "signing_key", "deploy_key"])] +
                  ["  " + line for line in block], 1, dict(label, secret="\n".join(block)))
        else:
            escaped = "\\n".join(block) + "\\n"
            fmt = rng.choice(["json", "js", "py", "env"])
            c.add_kv(fmt, rng.choice(["PRIVATE_KEY", "SIGNING_KEY", "JWT_PRIVATE_KEY"]), escaped,
                     dict(label, secret=escaped))


def plant_gcp_sa(c, k):
    rng = c.rng
    for _ in range(k):
        project = rng.choice(SERVICES) + "-" + rng.choice(["prod", "prd", "live"]) + "-" + rs(rng, DIGITS, 6)
        block = private_key_block(rng, "private-key-pkcs8")
        key = "\\n".join(block) + "\\n"
        account = rng.choice(["deployer", "ci-runner", "bq-export", "storage-sync"])
        lines = ["{", '  "type": "service_account",', '  "project_id": "%s",' % project,
                 '  "private_key_id": "%s",' % rs(rng, HEX, 40),
                 '  "private_key": "%s",' % key,
                 '  "client_email": "%s@%s.iam.gserviceaccount.com",' % (account, project),
                 '  "client_id": "%s",' % rs(rng, DIGITS, 21),
                 '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",',
                 '  "token_uri": "https://oauth2.googleapis.com/token",',
                 '  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",',
                 '  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/%s%%40%s.iam.gserviceaccount.com",'
                 % (account, project),
                 '  "universe_domain": "googleapis.com"', "}"]
        path = c.new_path(lambda svc: rng.choice(["secrets/gcp-%s-sa.json" % svc,
                                                  "config/%s-%s.json" % (project, rs(rng, HEX, 12))]))
        # The whole file is one credential: a finding on its "type" or "private_key_id" line
        # identifies it as well as one on the key itself.
        c.whole(path, lines, [(4, "label", dict(secret=key, kind="gcp-service-account",
                                                 family="cloud", context_lines=[2, 4]))])


def encodable(rng):
    kind = rng.choice(ENCODABLE)
    p = GEN[kind](rng)
    return p["secret"], rng.choice(p["names"])


def plant_encoded(c, k):
    rng = c.rng
    fam = "encoded"
    # Kubernetes Secret manifests: data values are base64 of tokens.
    for _ in range(k):
        path = c.new_path(lambda svc: "k8s/%s/secret.yaml" % svc)
        svc = path.split("/")[1]
        secret, name = encodable(rng)
        lines = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: %s-credentials" % svc,
                 "  namespace: %s" % rng.choice(["prod", "default", "integrations"]), "type: Opaque",
                 "data:"]
        marks = []
        plain = [("NODE_ENV", "production"), ("DB_HOST", "db.%s.internal" % svc), ("REGION", "us-west-2")]
        order = [None] + rng.sample(plain, 2)
        rng.shuffle(order)
        for item in order:
            if item is None:
                enc = b64(secret.encode())
                marks.append((len(lines), "label", dict(secret=secret, encoded=enc,
                                                         kind="encoded-k8s-secret", family=fam)))
                lines.append("  %s: %s" % (name, enc))
            else:
                enc = b64(item[1].encode())
                marks.append((len(lines), "decoy", dict(text=enc, kind="k8s-base64-nonsecret")))
                lines.append("  %s: %s" % (item[0], enc))
        c.whole(path, lines, marks)
    # Authorization: Basic base64(user:password)
    for _ in range(k):
        user = rng.choice(["svc-" + rng.choice(SERVICES), "deploy", "integration", "ops"])
        pw = fresh(rng, lambda: rs(rng, ALNUM, rng.randint(16, 24)))
        enc = b64(("%s:%s" % (user, pw)).encode())
        label = dict(secret=pw, encoded=enc, kind="encoded-basic-auth", family=fam)
        header = "Authorization: Basic " + enc
        fmt = rng.choice(["md", "sh", "yaml", "js", "json", "py"])
        if fmt in ("md", "sh"):
            line = curl_line(rng.choice(API_URLS).replace("{t}", str(rng.randint(100000000, 999999999))),
                             header=header)
            if fmt == "md":
                c.add("md", ["```sh", line, "```"], 1, label)
            else:
                c.add("sh", [line], 0, label)
        elif fmt == "yaml":
            c.add("yaml", ["upstream_headers:", '  Authorization: "Basic %s"' % enc], 1, label)
        elif fmt == "js":
            c.add("js", ["const upstreamHeaders = { Authorization: 'Basic %s' };" % enc], 0, label)
        elif fmt == "json":
            c.add("json", ['  "authorizationHeader": "Basic %s",' % enc], 0, label)
        else:
            c.add("py", ['HEADERS = {"Authorization": "Basic %s"}' % enc], 0, label)
    # Percent-encoded tokens in URLs.
    for i in range(k):
        if i % 2 == 0:
            p = GEN["github-pat"](rng)
            secret = p["secret"]
            chars = list(secret)
            for j in sorted(rng.sample(range(4, len(chars)), 3)) + [3]:
                chars[j] = "%%%02X" % ord(chars[j])
            enc = "".join(chars)
            value = "https://ci.acme-fieldops.com/hooks/build?repo=infra&token=" + enc
        else:
            p = GEN["servicetitan-client-secret"](rng)
            secret = p["secret"]
            cid = GEN["servicetitan-client-id"](rng)["secret"]
            inner = "client_id=%s&client_secret=%s&grant_type=client_credentials" % (cid, secret)
            enc = urllib.parse.quote(inner, safe="")
            value = "https://integrations.acme-fieldops.com/oauth/start?state=" + enc
        label = dict(secret=secret, encoded=enc, kind="encoded-percent-url", family=fam)
        c.add_kv(rng.choice(["env", "yaml", "json", "js", "md", "py"]),
                 rng.choice(["CALLBACK_URL", "BUILD_HOOK_URL", "OAUTH_START_URL"]), value, label)
    # base64 of a .env line
    for _ in range(k):
        secret, name = encodable(rng)
        enc = b64(("%s=%s\n" % (name, secret)).encode())
        label = dict(secret=secret, encoded=enc, kind="encoded-base64-env", family=fam)
        fmt = rng.choice(["sh", "yaml", "env", "compose", "k8s"])
        if fmt == "sh":
            c.add("sh", ["echo '%s' | base64 -d > .env" % enc], 0, label)
        else:
            c.add_kv(fmt, rng.choice(["ENV_FILE_B64", "DOTENV_BASE64", "APP_ENV_B64"]), enc, label)


# ---------------------------------------------------------------------------------------------
# Assignment forms (issue 11): split and escaped literals, the words that name a secret, and the
# ways of writing a name and its value beyond `name = value`. Each planted secret is a small
# file of its own; `written` is the text of the labeled line that holds (the start of) it.
# ---------------------------------------------------------------------------------------------

def split_st_lines(rng, secret):
    """A ServiceTitan credential split into literals, in one language: (ext, lines, idx, first piece)."""
    cut = sorted(rng.sample(range(5, len(secret) - 3), 2))
    a, b, c3 = secret[:cut[0]], secret[cut[0]:cut[1]], secret[cut[1]:]
    shapes = [
        ("java", ['    private static final String APP_KEY = "%s" + "%s";' % (a, b + c3)], 0),
        ("cs", ['        var clientSecret = "%s" +' % (a + b), '            "%s";' % c3], 0),
        ("ts", ["export const clientId = '%s' + '%s' + '%s';" % (a, b, c3)], 0),
        ("go", ['	appKey := "%s" +' % a, '		"%s"' % (b + c3)], 0),
        ("kt", ['    val appKey = "%s" + "%s"' % (a + b, c3)], 0),
        ("py", ["ST_APP_KEY = (", '    "%s"' % a, '    "%s"' % b, '    "%s"' % c3, ")"], 1),
        ("js", ["const stKey = '%s'" % a, "  + '%s';" % (b + c3)], 0),
    ]
    ext, lines, idx = rng.choice(shapes)
    return ext, lines, idx


SECRET_WORD_NAMES = ["SECRET", "JWT_SECRET", "APP_SECRET", "SESSION_SECRET", "hex_secret", "access_key",
                     "private_key", "signing_key", "auth_key", "credentials", "encryptionKey", "MASTER_KEY"]
OTHER_SENSE_NAMES = ["primary_key", "sort_key", "cache_key", "foreign_key", "public_key", "partition_key",
                     "idempotency_key", "next_page_token"]


def plant_assignments(c, k):
    rng = c.rng
    value = lambda n=40: fresh(rng, lambda: rs(rng, ALNUM, n))
    svc_path = lambda tmpl: c.new_path(lambda svc: tmpl % svc)
    for i in range(max(k, 3)):
        kind = ["servicetitan-app-key", "servicetitan-client-id", "servicetitan-client-secret"][i % 3]
        secret = GEN[kind](rng)["secret"]
        ext, lines, idx = split_st_lines(rng, secret)
        quote = '"' if '"' in lines[idx] else "'"
        first = lines[idx].split(quote)[1]
        body = ["// settings for the %s integration" % rng.choice(SERVICES)] + lines
        c.whole(svc_path("src/%%s/split_%d.%s" % (i, ext)), body,
                [(idx + 1, "label", dict(secret=secret, kind="split-" + kind, family="servicetitan",
                                         written=first))])
    for i in range(k):
        v = value()
        name = rng.choice(SECRET_WORD_NAMES)
        fmt = rng.choice(["env", "yaml", "py", "js", "json", "go"])
        c.add_kv(fmt, name, v, dict(secret=v, kind="secret-word", family="assignment"))
        other = rng.choice(OTHER_SENSE_NAMES)
        d = value()
        c.add_kv(rng.choice(["env", "yaml", "py", "json"]), other, d, decoy=dict(kind="other-sense-name", text=d))
    for i in range(k):
        v = value()
        a, b = v[:20], v[20:]
        shape = rng.choice([
            ("Config.java", ['    String clientSecret = "%s" +' % a, '        "%s";' % b], 0),
            ("settings.py", ["API_TOKEN = (", '    "%s"' % a, '    "%s"' % b, ")"], 1),
            ("config.js", ["const apiKey = '%s' + '%s';" % (a, b)], 0),
        ])
        path, lines, idx = shape
        c.whole(svc_path("src/%%s/gen_split_%d_%s" % (i, path)), lines,
                [(idx, "label", dict(secret=v, kind="split-generic", family="split", written=a))])
        v = value()
        if i % 2 == 0:
            cell = '{"cells": [{"cell_type": "code", "source": ["import requests\\n", "client_secret = \\"%s\\"\\n"]}]}' % v
            c.whole(svc_path("notebooks/%%s_%d.ipynb" % i), [cell], [(0, "label", dict(secret=v, kind="escaped-notebook", family="split"))])
        else:
            line = '        String body = "{\\"client_secret\\":\\"%s\\",\\"grant_type\\":\\"client_credentials\\"}";' % v
            c.whole(svc_path("java/%%s/TokenRequest%d.java" % i), ["class TokenRequest {", line, "}"],
                    [(1, "label", dict(secret=v, kind="escaped-json-in-string", family="split"))])
    forms = [
        ("web.config", lambda v: ["<configuration>", "  <appSettings>", '    <add key="ApiToken" value="%s" />' % v, "  </appSettings>", "</configuration>"], 2),
        ("settings.xml", lambda v: ["<settings>", "  <servers>", "    <server>", "      <id>nexus</id>", "      <password>%s</password>" % v, "    </server>", "  </servers>", "</settings>"], 4),
        ("beans.xml", lambda v: ['<bean id="oauth" class="com.acme.OAuthConfig">', '  <property name="clientSecret" value="%s"/>' % v, "</bean>"], 1),
        ("task-definition.json", lambda v: ['{"containerDefinitions": [{"environment": [', '  {"name": "CLIENT_SECRET", "value": "%s"}' % v, "]}]}"], 1),
        ("deploy.yaml", lambda v: ["      env:", '        - {name: API_TOKEN, value: "%s"}' % v], 1),
        ("Settings.cs", lambda v: ["class Settings {", '    private const string ClientSecret = @"%s";' % v, "}"], 1),
        ("config.c", lambda v: ['char password[41] = "%s";' % v], 0),
        ("Config.swift", lambda v: ['let clientSecret: String = "%s"' % v], 0),
        ("Config.kt", lambda v: ['    val clientSecret: String = "%s"' % v], 0),
        ("config.ts", lambda v: ['export const clientSecret: string = "%s";' % v], 0),
        ("settings.py", lambda v: ['CLIENT_SECRET: str = "%s"' % v], 0),
        ("config.php", lambda v: ["<?php", "$config['client_secret'] = '%s';" % v], 1),
        ("wp-config.php", lambda v: ["<?php", "define('DB_PASSWORD', '%s');" % v], 1),
        ("bootstrap.py", lambda v: ["import os", 'os.environ["API_TOKEN"] = "%s"' % v], 1),
        ("config.rb", lambda v: ['settings[:api_key] = "%s"' % v], 0),
        ("Dockerfile", lambda v: ["FROM alpine:3.20", "ENV API_TOKEN %s" % v], 1),
        ("Dockerfile", lambda v: ["FROM alpine:3.20", 'ENV DB_PASSWORD "%s"' % v], 1),
        ("Dockerfile", lambda v: ["FROM alpine:3.20", "ARG CLIENT_SECRET=%s" % v], 1),
        ("values.yaml", lambda v: ["auth:", "  api_key: !!str %s" % v], 1),
    ]
    for i in range(k):
        for j, (name, make, idx) in enumerate(forms):
            v = value()
            c.whole(svc_path("svc/%%s/form%d_%d_%s" % (i, j, name)), make(v),
                    [(idx, "label", dict(secret=v, kind="form-" + name.split(".")[-1].lower(), family="assignment"))])
    for i in range(k):
        symbols = "?([<>:|&;,"
        pw = value(12) + rng.choice(symbols) + value(12)
        c.add(rng.choice(["py", "js"]), ['password = "%s"' % pw], 0, dict(secret=pw, kind="password-symbols", family="assignment"))
        hexkey = rs(rng, HEX, 40)
        c.add("yaml", ["partner_api_key: '%s'" % hexkey], 0, dict(secret=hexkey, kind="hex-under-key-name", family="assignment"))
    for i in range(k):
        hexkey = rs(rng, HEX, 32)
        rows = ["name,environment,value,rotated_at",
                "region,prod,us-west-2,2024-01-02",
                "internal_api_key,prod,%s,2024-09-%02d" % (hexkey, rng.randint(1, 28)),
                "page_size,prod,50,2023-11-30"]
        c.whole(svc_path("exports/%%s/settings_%d.csv" % i), rows,
                [(2, "label", dict(secret=hexkey, kind="table-row", family="assignment"))])
    # Quoted values with symbols or blanks under the other secret-like names (a value cut at `&`
    # or `,` is a miss: the label is the whole value).
    quoted = [
        ("py", 'client_secret = "%s"'),
        ("yaml", "api_token: '%s'"),
        ("js", "const privateKey = `%s`;"),
        ("json", '  "signing_key": "%s",'),
        ("env", 'ACCESS_KEY="%s"'),
    ]
    for i in range(k):
        ext, line = quoted[i % len(quoted)]
        symbols = "?([<>:|&;,% "
        v = value(10) + rng.choice(symbols) + value(6) + rng.choice(symbols) + value(8)
        c.add(ext, [line % v], 0, dict(secret=v, kind="secret-symbols", family="assignment"))
    for i in range(k):
        lines = ['callback_url = "https://app.acme-fieldops.com/cb?state=%d&next=%d"' % (rng.randint(1, 99), rng.randint(1, 99)),
                 'api_key_docs = "https://docs.acme-fieldops.com/keys?page=%d&sort=2"' % rng.randint(1, 9),
                 'token_description = "Token used by the nightly job, %d per tenant"' % rng.randint(2, 9),
                 'client_secret = "<paste the client secret here, %d chars>"' % rng.randint(40, 60),
                 'access_token = "Bearer {token_%d}"' % rng.randint(1, 9)]
        c.whole(svc_path("src/%%s/quoted_decoys_%d.py" % i), lines,
                [(n, "decoy", dict(kind="quoted-lookalike", text=t)) for n, t in enumerate(lines)])
    # Decoys of the same shapes.
    for i in range(k):
        host = rng.choice(SERVICES)
        lines = ['    String url = "https://api.acme-fieldops.com/" + "v2/%s/" + "tokens";' % host,
                 '    String label = "abc" + "def";',
                 '    String msg = "the key holder said \\"hello %d\\" twice";' % rng.randint(1000, 9999),
                 "    let privateKey: P256.Signing.PrivateKey",
                 '    <add assembly="System.Web, Version=4.0.0.0, PublicKeyToken=b03f5f7f11d50a3a" />',
                 "ENV API_TOKEN_FILE /run/secrets/api_token"]
        c.whole(svc_path("src/%%s/decoys_%d.txt" % i), lines,
                [(n, "decoy", dict(kind="assignment-lookalike", text=t)) for n, t in enumerate(lines)])


# ---------------------------------------------------------------------------------------------
# Decoys: text that looks like a secret (or sits where one would) but is not one.
# ---------------------------------------------------------------------------------------------

def decoys(c, k):
    rng = c.rng

    def d(kind, text):
        return dict(kind=kind, text=text)

    for _ in range(k):
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        c.add_kv(rng.choice(KV_FORMATS), rng.choice(["AZURE_CLIENT_ID", "AZURE_TENANT_ID",
                                                     "CORRELATION_ID", "INSTALLATION_ID"]), u,
                 decoy=d("uuid", u))
        sha = rs(rng, HEX, 40)
        c.add_kv(rng.choice(KV_FORMATS), rng.choice(["GIT_COMMIT", "BUILD_SHA", "RELEASE_SHA"]), sha,
                 decoy=d("git-sha", sha))
        tenant = str(rng.randint(100000000, 3999999999))
        c.add_kv(rng.choice(KV_FORMATS), rng.choice(["ST_TENANT_ID", "SERVICETITAN_TENANT_ID"]), tenant,
                 decoy=d("servicetitan-tenant-id", tenant))
        ver = "%d.%d.%d" % (rng.randint(1, 9), rng.randint(0, 40), rng.randint(0, 20))
        c.add_kv(rng.choice(KV_FORMATS), rng.choice(["APP_VERSION", "SDK_VERSION", "CLIENT_VERSION"]),
                 ver, decoy=d("version-pin", ver))

    # env-var references, placeholders, empty values, ServiceTitan doc placeholders
    refs = {
        "env": lambda n: ("%s=${%s}" % (n, n)),
        "compose": lambda n: ('      %s: "${%s}"' % (n, n)),
        "py": lambda n: ('%s = os.environ["%s"]' % (n, n)),
        "js": lambda n: ("const %s = process.env.%s;" % (camel(n), n)),
        "tf": lambda n: ("  %s = var.%s" % (n.lower(), n.lower())),
        "sh": lambda n: ('export %s="${%s:?missing}"' % (n, n)),
        "yaml": lambda n: ("%s: ${%s}" % (n.lower(), n)),
        "go": lambda n: ('\t%sEnv = "%s"' % (pascal(n), n)),
    }
    names = ["API_KEY", "CLIENT_SECRET", "STRIPE_SECRET_KEY", "ST_APP_KEY", "DB_PASSWORD", "AUTH_TOKEN"]
    for i in range(max(k, len(refs))):
        fmt = list(refs)[i % len(refs)]
        name = rng.choice(names)
        make = lambda h, fmt=fmt, name=name: ([refs[fmt](h.unique(name))], 0)
        c.add(fmt, make, 0, decoy=d("env-reference", refs[fmt](name)))
    c.add("k8s", lambda h: (["            - name: %s" % h.unique("CLIENT_SECRET"), "              valueFrom:",
                             "                secretKeyRef:", "                  name: app-credentials",
                             "                  key: client-secret"], 2),
          0, decoy=d("env-reference", "secretKeyRef"))
    placeholders = [("API_KEY", "your-api-key-here"), ("STRIPE_SECRET_KEY", "sk" + "_live_" + "x" * 24),
                    ("AUTH_TOKEN", "<TOKEN>"), ("DB_PASSWORD", "changeme"), ("CLIENT_SECRET", "<client-secret>"),
                    ("GITHUB_TOKEN", "gh" + "p_" + "x" * 36), ("PASSWORD", "REPLACE_ME")]
    for i in range(max(k, len(placeholders))):
        name, value = placeholders[i % len(placeholders)]
        c.add_kv(rng.choice(KV_FORMATS), name, value, decoy=d("placeholder", value))
    for _ in range(k):
        name = rng.choice(["API_KEY", "CLIENT_SECRET", "PASSWORD", "AUTH_TOKEN"])
        fmt = rng.choice(["env", "yaml", "py", "json", "js"])
        c.add_kv(fmt, name, "", decoy=d("empty-value", ""))
    for i in range(k):
        value = ["ak" + "1." + "x" * 25, "ci" + "d." + "x" * 25, "c" + "s1." + "x" * 50][i % 3]
        name = ["ST_APP_KEY", "ST_CLIENT_ID", "ST_CLIENT_SECRET"][i % 3]
        if rng.random() < 0.5:
            c.add("md", ["Send the App Key with every call:", "", "```http",
                         "ST-App-Key: " + value if i % 3 == 0 else "%s=%s" % (name, value), "```"], 3,
                  decoy=d("servicetitan-doc-placeholder", value))
        else:
            c.add_kv(rng.choice(["env", "yaml", "json"]), name, value,
                     decoy=d("servicetitan-doc-placeholder", value))

    # data URIs in CSS and docs
    for _ in range(k):
        data = "data:image/png;base64," + b64(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rbytes(rng, 180))
        if rng.random() < 0.5:
            c.add("css", [".logo-%s {" % rs(rng, LOWER, 5), '  background-image: url("%s");' % data, "}"], 1,
                  decoy=d("data-uri", data[:40]))
        else:
            c.add("md", ["![logo](%s)" % data], 0, decoy=d("data-uri", data[:40]))
    # build hashes in code
    for _ in range(k):
        chunk = '__webpack_require__.u = (id) => "static/js/" + id + "." + {%s}[id] + ".chunk.js";' % ", ".join(
            '"%d": "%s"' % (rng.randint(10, 999), rs(rng, HEX, 20)) for _ in range(3))
        c.add("js", [chunk], 0, decoy=d("webpack-chunk-hash", chunk[:60]))
        css = "const classes = { root: 'css-%s', button: 'Button_primary__%s' };" % (
            rs(rng, LOWER + DIGITS, 7), rs(rng, ALNUM, 5))
        c.add("js", [css], 0, decoy=d("css-class-hash", css))

    # whole files: lockfile, checksums, Dockerfile, requirements, certificates, authorized_keys
    pkgs = ["lodash", "axios", "express", "dayjs", "zod", "pino", "uuid", "ws", "commander", "chalk"]
    lock = ["{", '  "name": "portal",', '  "lockfileVersion": 3,', '  "packages": {']
    marks = []
    chosen = [pkgs[i % len(pkgs)] + ("" if i < len(pkgs) else str(i)) for i in range(max(k, 2))]
    for j, pkg in enumerate(chosen):
        ver = "%d.%d.%d" % (rng.randint(1, 9), rng.randint(0, 30), rng.randint(0, 20))
        sri = "sha512-" + b64(rbytes(rng, 64))
        lock += ['    "node_modules/%s": {' % pkg, '      "version": "%s",' % ver,
                 '      "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz",' % (pkg, pkg, ver)]
        marks.append((len(lock), "decoy", d("sri-integrity", sri)))
        lock += ['      "integrity": "%s"' % sri, "    }" + ("," if j < len(chosen) - 1 else "")]
    lock += ["  }", "}"]
    c.whole(c.new_path(lambda svc: "web/%s/package-lock.json" % svc), lock, marks)

    sums, marks = [], []
    for i in range(k):
        digest = rs(rng, HEX, 64)
        marks.append((len(sums), "decoy", d("checksum", digest)))
        sums.append("%s  keyfence-1.%d.0-%s.tar.gz" % (digest, i, rng.choice(["linux-amd64", "darwin-arm64"])))
    c.whole(c.new_path(lambda svc: "dist/%s/SHA256SUMS" % svc), sums, marks)

    for _ in range(k):
        digest = rs(rng, HEX, 64)
        lines = ["FROM python:3.12.%d-slim@sha256:%s" % (rng.randint(0, 9), digest), "WORKDIR /app",
                 "COPY requirements.txt .", "RUN pip install --no-cache-dir -r requirements.txt",
                 "COPY . .", 'CMD ["python", "-m", "app"]']
        c.whole(c.new_path(lambda svc: "services/%s/Dockerfile" % svc), lines,
                [(0, "decoy", d("docker-digest-pin", digest))])
    reqs, marks = [], []
    for name in rng.sample(["requests", "boto3", "pydantic", "sqlalchemy", "celery", "httpx", "redis"], min(k, 7)):
        pin = "%s==%d.%d.%d" % (name, rng.randint(1, 3), rng.randint(0, 40), rng.randint(0, 15))
        marks.append((len(reqs), "decoy", d("version-pin", pin)))
        reqs.append(pin)
    c.whole(c.new_path(lambda svc: "services/%s/requirements.txt" % svc), reqs, marks)

    for _ in range(k):
        cert = pem("CERTIFICATE", bytes.fromhex("3082035d30820245a003020102") + rbytes(rng, 850))
        if rng.random() < 0.5:
            c.whole(c.new_path(lambda svc: "certs/%s.crt" % svc), cert, [(0, "decoy", d("certificate", cert[0]))])
        else:
            c.add("md", ["Pin this CA:", "", "```"] + cert + ["```"], 3, decoy=d("certificate", cert[0]))
        pub = pem("PUBLIC KEY", bytes.fromhex("30820122300d06092a864886f70d01010105000382010f00") + rbytes(rng, 270))
        c.add("yaml", ["jwt_verify_key: |"] + ["  " + line for line in pub], 1, decoy=d("public-key", pub[0]))
    keys, marks = [], []
    for _ in range(k):
        blob = b64(b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x03\x01\x00\x01\x00\x00\x01\x01\x00" + rbytes(rng, 256))
        marks.append((len(keys), "decoy", d("ssh-public-key", "ssh-rsa " + blob[:20])))
        keys.append("ssh-rsa %s %s@%s" % (blob, rng.choice(["deploy", "ci", "ops"]), rng.choice(SERVICES)))
    c.whole(c.new_path(lambda svc: "deploy/%s/authorized_keys" % svc), keys, marks)


def build(seed, k):
    rng = random.Random(seed)
    c = Corpus(rng)
    for kind, family, gen in KINDS:
        if gen is not None:
            plant_simple(c, kind, k)
        elif kind.startswith("private-key-"):
            plant_private_key(c, kind, k)
        elif kind == "gcp-service-account":
            plant_gcp_sa(c, k)
    providers.plant(c, k)
    plant_encoded(c, k)
    plant_assignments(c, k)
    decoys(c, k)
    return c.finish(), c.labels, c.decoys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory to write (created; must be empty or absent)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--per-kind", type=int, default=3, help="planted secrets per kind (default 3)")
    args = ap.parse_args()
    if os.path.isdir(args.out) and os.listdir(args.out):
        ap.error("%s is not empty" % args.out)
    files, labels, decoy_list = build(args.seed, args.per_kind)
    for path, lines in files:
        full = os.path.join(args.out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
    # Labels point at the line the secret (or its encoded form) starts on; check that they do.
    texts = {p: l for p, l in files}
    for lab in labels:
        line = texts[lab["path"]][lab["line"] - 1]
        probe = lab.get("encoded") or lab.get("written") or lab["secret"].split("\n")[0]
        assert probe in line, (lab, line)
    key = lambda d: (d["path"], d["line"], d["kind"])
    order = ["path", "line", "kind", "family", "secret", "encoded", "written", "context_lines"]
    labels = [{f: lab[f] for f in order if f in lab} for lab in sorted(labels, key=key)]
    decoy_list = [{f: x[f] for f in ["path", "line", "kind", "text"]} for x in sorted(decoy_list, key=key)]
    with open(os.path.join(args.out, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(labels, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "decoys.json"), "w", encoding="utf-8") as f:
        json.dump(decoy_list, f, indent=1)
        f.write("\n")
    print("wrote %d files, %d labels, %d decoys to %s" % (len(files), len(labels), len(decoy_list), args.out))


if __name__ == "__main__":
    main()
