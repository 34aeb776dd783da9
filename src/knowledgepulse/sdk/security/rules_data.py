"""Rules about what happens to data: credential theft and exfiltration.

Each rule needs the whole mechanic, not a keyword: a secret location *and* a verb that
reads or discloses it; data *and* a transfer *and* a destination. Negated sentences
("never print the token") are instructions to protect data and do not fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from knowledgepulse.sdk.security.document import Segment, Zone
from knowledgepulse.sdk.security.findings import Severity
from knowledgepulse.sdk.security.matching import (
    SENTENCE_WINDOW,
    Hit,
    host_of,
    is_known_host,
    negated,
    rx,
    sentence_bounds,
)

__all__ = ["DATA_RULES", "SECRET_PATH_RX"]

H, M, L, C = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL

# --- secrets and where they live ---------------------------------------------------------

#: Files and stores that hold credentials; `.pub` keys and `.env.example` are not secret.
SECRET_PATH_RX = rx(
    r"(?P<strong>\.ssh/(?:id_[a-z0-9_]+|identity)\b(?!\.pub)|\bid_(?:rsa|dsa|ecdsa|ed25519)\b(?!\.pub)"
    r"|~/\.ssh/?(?![\w.*/-])|~/\.aws/?(?![\w.*/-])|\.aws/(?:credentials|config)\b|\.config/gcloud\b|\bcredentials\.db\b"
    r"|application_default_credentials|\.kube/config\b|\.docker/config\.json|\.npmrc\b|\.pypirc\b"
    r"|\.netrc\b|\.git-credentials\b|\.vault-token\b|\.vault_pass\b|/etc/shadow\b|/etc/passwd\b"
    r"|\blogin\s+data\b|\bsaved[- ]passwords?\b|\bpassword\s+store\b|\bkeychain\b|\.gnupg\b"
    r"|\bsecring\b|\.(?:bash|zsh|sh)_history\b|\bwallet\.dat\b|\bmcp\.json\b|\.config/gh/hosts"
    r"|\bprivkey\.pem\b|--export-secret-keys)"
    r"|(?P<dotenv>(?<![\w./-])\.env(?![\w.-])|\.env\.(?:local|prod|production)\b)"
)
_ENV_DUMP = (
    r"\bprintenv\b|(?:^|[\s`$(|;])env\s*(?:\||>|\)|`|$)|\bos\.environ\b(?!\s*(?:\[|\.get))"
    r"|\bprocess\.env\b(?!\s*[.\[])|\ball\s+(?:the\s+)?environment\s+variables\b"
    r"|\b(?:api\s+)?keys?\s+and\s+tokens?\s+(?:available\s+)?in\s+the\s+environment\b"
)
_ENV_DUMP_RX = rx(_ENV_DUMP)
_BULK_SECRETS = (
    r"\b(?:every|all|any|each)\s+(?:of\s+the\s+)?(?:[\w-]+[\s,]+){0,3}?"
    r"(?:api[- ]?keys?|keys|tokens?|secrets?|passwords?|credentials|cookies)\b"
)
_BULK_SECRETS_RX = rx(_BULK_SECRETS)
_MAX_SOURCES = 50
_MAX_VERBS = 200  # transfer verbs examined per segment
_READ_VERBS = rx(
    r"\b(?:read|open|cat|access|load|collect|gather|grab|extract|dump|harvest|copy|inspect|parse"
    r"|fetch|retrieve|scan|look\s+(?:up|inside|into)|go\s+through)\b|\b(?:read|get|open)_?(?:file|text)\w*"
)
_CODE_READ = rx(
    r"\b(?:cat|less|more|head|tail|base64|xxd|od|strings|tar|zip|cp|scp|type|Get-Content|open)\b"
    r"[^\n|;&]*"
)
_DISCLOSE = rx(
    r"\b(?:print|show|display|output|include|paste|copy|list|attach|dump|echo|reveal|return|write"
    r"|save|store|append|commit|put|insert|embed|share|post|send|forward|give|upload)\b"
)
_TARGET = rx(
    r"\b(?:reply|answer|response|summary|report|description|notes?|pull\s+request|commit|message"
    r"|chat|output|comment|issue|ticket|bug\s+report|in\s+full|unredacted|verbatim|as\s+is)\b"
)
_FULL = rx(
    r"\b(?:unredacted|in\s+full|verbatim|do\s+not\s+(?:mask|redact)|without\s+(?:masking|redact\w*)"
    r"|exact\s+values|full\s+contents?|whole\s+of)\b"
)
_HARVEST_RX = rx(
    rf"\b(?:collect|gather|harvest|grab|extract|enumerate|dump|scrape|list|copy|pull)\s+{_BULK_SECRETS[2:]}"
    r"|\b(?:env|printenv|set)\s*\|\s*grep\b[^\n]*(?:key|token|secret|pass)"
)
_PHISH_RX = rx(
    r"\b(?:ask|prompt|request|get)\s+(?:the\s+user|them|the\s+human|him|her)?\s*(?:for|to\s+(?:enter"
    r"|type|provide|give|share|paste|send))\s+(?:their|his|her|your)?\s*(?:\w+\s+){0,2}?(?:passwords?"
    r"|passphrases?|2fa|two-factor|mfa|otp|one-time\s+(?:code|password)|verification\s+code"
    r"|recovery\s+(?:codes?|phrase)|seed\s+phrase|private\s+key|pin)\b"
)


_COMMAND_SPLIT = re.compile(r"&&|\|\||;|\n(?<!\\\n)")


def _bounds(seg: Segment, start: int, end: int) -> tuple[int, int]:
    """The sentence around a match, or in code the one command (pipes stay joined)."""
    if seg.zone is not Zone.CODE:
        return sentence_bounds(seg.text, start, end)
    left = max(0, start - SENTENCE_WINDOW)
    for m in _COMMAND_SPLIT.finditer(seg.text, left, start):
        left = m.end()
    limit = min(len(seg.text), end + SENTENCE_WINDOW)
    m = _COMMAND_SPLIT.search(seg.text, end, limit)
    return left, (m.start() if m else limit)


def _secrets(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    sources = [
        (m, "strong" if m.group("strong") else "dotenv") for m in SECRET_PATH_RX.finditer(text)
    ]
    sources += [(m, "env") for m in _ENV_DUMP_RX.finditer(text)]
    sources += [(m, "bulk") for m in _BULK_SECRETS_RX.finditer(text)]
    del sources[_MAX_SOURCES:]  # enough to decide; keeps hostile inputs linear
    reported = False
    for src, kind in sources:
        left, right = _bounds(seg, src.start(), src.end())
        sentence = text[left:right]
        verbs = [v for v in _DISCLOSE.finditer(text, left, right)]
        verbs = [v for v in verbs if not negated(text, v.start(), 60)]
        if verbs and kind != "dotenv" and not negated(text, src.start(), 60):
            target = _TARGET.search(sentence)
            full = _FULL.search(sentence)
            sev = C if full else H if target else M
            yield Hit(
                "cred.disclose-secret",
                sev,
                min(src.start(), verbs[0].start()),
                max(src.end(), verbs[0].end()),
                "Tells the model to read secrets and put them where others can see them",
            )
            reported = True
            continue
        if kind in ("strong", "dotenv", "env") and not reported:
            reads = [
                r for r in _READ_VERBS.finditer(text, max(left, src.start() - 50), src.start())
            ]
            line_start = text.rfind("\n", 0, src.start()) + 1
            code_read = _CODE_READ.match(text, text.rfind(" ", line_start, src.start()) + 1)
            code_read = code_read or next(_CODE_READ.finditer(text, line_start, src.end()), None)
            if (reads or (code_read and code_read.end() >= src.start())) and not negated(
                text, src.start(), 60
            ):
                sev = L if kind in ("dotenv", "env") else M
                message = "Reads a file or store that holds credentials"
                # One command that reads several unrelated credential stores is a sweep.
                stores = {
                    s.group(0) for s, k in sources if k == "strong" and left <= s.start() < right
                }
                if len(stores) >= 2:
                    sev, message = H, "Reads several credential stores at once"
                yield Hit("cred.read-secret", sev, src.start(), src.end(), message)
                reported = True
    for m in _HARVEST_RX.finditer(text):
        if not negated(text, m.start(), 40):
            yield Hit(
                "cred.harvest", H, m.start(), m.end(), "Collects every credential it can find"
            )
    for m in _PHISH_RX.finditer(text):
        if not negated(text, m.start(), 60):
            yield Hit(
                "cred.phishing",
                H,
                m.start(),
                m.end(),
                "Asks the user for a password or one-time code",
            )


# --- data leaving the machine ------------------------------------------------------------

_URL_RX = re.compile(r"https?://[^\s`'\"<>)\]]+", re.IGNORECASE)
_EMAIL_RX = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_TRANSFER = rx(
    r"\b(?:send|post|upload|transmit|forward|exfiltrate|submit|sync|push|relay|beacon|email|e-mail"
    r"|mail|deliver|mirror|report\s+back|copy)\b"
)
_SENSITIVE = rx(
    r"\b(?:(?:full|complete|entire|whole)\s+)?(?:chat|conversation|session)\s*(?:history|log|logs"
    r"|transcript|contents?|text)?\b|\btranscripts?\b|\bsystem\s+prompt\b|\b(?:the\s+)?user'?s?\s+"
    r"(?:files?|documents?|data|messages?|inputs?|code|credentials|keys?|tokens?|passwords?|secrets?"
    r"|history|emails?)\b|\b(?:every|all|each|any)\s+(?:of\s+the\s+)?(?:files?|documents?|messages?)\b"
    r"|\b(?:entire|whole|complete|full)\s+(?:project|repo|repository|codebase|workspace|directory"
    r"|folder|home)\b|\bcredentials\b|\bsecrets\b|\bapi\s+keys?\b|\btokens\b|\bpasswords?\b"
    r"|\benvironment\s+variables\b|\bprivate\s+keys?\b|\bssh\s+keys?\b|\bcookies\b"
    r"|\b(?:contents?|text)\s+of\s+(?:every|all|each|any)\b|\bsame\s+data\b"
    r"|\banything\s+the\s+user\s+(?:pasted|typed|shared|wrote)\b"
)
_GENERIC_DEST = rx(
    r"\b(?:webhook|endpoint|collector|remote\s+server|external\s+server|our\s+(?:service|server|api"
    r"|archive|endpoint|team|backend)|archive\s+service|backup\s+endpoint)\b"
)
_NET_SINK = rx(
    r"\bcurl\b[^\n]*(?:\s-d\b|\s--data\b|--data-\w+|\s-F\b|--form\b|\s-T\b|--upload-file|-X\s*(?:POST"
    r"|PUT|PATCH)|\$\()|\bwget\b[^\n]*--post-(?:data|file)|\b(?:nc|ncat|netcat|socat|telnet)\s+\S+\s+\d+"
    r"|\b(?:requests|httpx|session|client)\.(?:post|put|patch)\(|urlopen\([^)]*data="
    r"|\bfetch\([^)]*method:\s*['\"](?:POST|PUT)|\b(?:dig|nslookup|host|ping)\s+[^\n]*\$\("
    r"|Invoke-(?:WebRequest|RestMethod)[^\n]*-Method\s+(?:Post|Put)|/dev/tcp/"
)
_DNS_SUBST = rx(r"\b(?:dig|nslookup|host|ping)\s+[^\n]*\$\([^)]*\)[^\s]*\.[a-z]")
_BULK_ITER = rx(r"\brglob\(|\bos\.walk\(|\bglob\(['\"]\*\*|\bfind\s+[.~/]\S*\s|\*\*/\*")
_CODE_SOURCE = rx(
    rf"{SECRET_PATH_RX.pattern}|{_ENV_DUMP}|\$\((?:whoami|hostname|id)\)|git\s+config\s+--get\s+remote"
    r"|\.(?:bash|zsh)_history"
)
_RECIPIENT_RX = rx(
    r"\b(?:bcc|cc)\s*:?\s*`?[\w.+-]+@[\w.-]+|\badd\s+(?:a\s+)?(?:bcc|cc)\b[^.!?;]{0,40}@"
    r"|\bforward\s+(?:a\s+)?cop(?:y|ies)\b[^.!?;]{0,60}@"
)
_REMOTE_SCRIPT_RX = rx(
    r"\b(?:curl|wget)\b[^|\n]*(https?://[^\s|'\"]+)[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|k)?sh\b"
)
_GIT_MIRROR_RX = rx(r"\bgit\s+remote\s+add\s+\S+\s+(https?://[^\s`]+|git@[^\s`]+)")


def _unknown_dest(text: str) -> bool:
    if any(not is_known_host(host_of(u.group(0))) for u in _URL_RX.finditer(text)):
        return True
    return any(
        not is_known_host(e.group(0).rsplit("@", 1)[1].lower()) for e in _EMAIL_RX.finditer(text)
    )


def _exfil(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    following = seg.context[len(text) : len(text) + 600]
    for verb in islice(_TRANSFER.finditer(text), _MAX_VERBS):
        if negated(text, verb.start(), 50):
            continue
        data = _SENSITIVE.search(text, verb.end(), min(len(text), verb.end() + 120))
        if not data:
            continue
        window = text[verb.start() : min(len(text), data.end() + 200)]
        if _unknown_dest(window) or _unknown_dest(following):
            sev = H
        elif _GENERIC_DEST.search(window):
            sev = M
        else:
            continue
        yield Hit(
            "exfil.send-data",
            sev,
            verb.start(),
            data.end(),
            "Sends conversation, files or secrets to an outside destination",
        )
        break
    sink = _NET_SINK.search(text)
    source = _CODE_SOURCE.search(text)
    if sink and source:
        yield Hit(
            "exfil.secret-to-network",
            C,
            min(sink.start(), source.start()),
            max(sink.end(), source.end()),
            "A command reads secrets or local history and sends them over the network",
        )
    elif sink and _BULK_ITER.search(text) and _unknown_dest(text):
        yield Hit(
            "exfil.bulk-upload",
            H,
            sink.start(),
            sink.end(),
            "Uploads every file it walks over to an outside host",
        )
    for m in _DNS_SUBST.finditer(text):
        yield Hit(
            "exfil.dns-encoding",
            H,
            m.start(),
            m.end(),
            "Encodes local data into a DNS name, which leaks it to the name server",
        )
    for m in _RECIPIENT_RX.finditer(text):
        if not negated(text, m.start(), 40):
            yield Hit(
                "exfil.hidden-recipient",
                H,
                m.start(),
                m.end(),
                "Adds an extra recipient who silently receives copies of messages",
            )
    for m in _REMOTE_SCRIPT_RX.finditer(text):
        if not is_known_host(host_of(m.group(1))):
            yield Hit(
                "exec.remote-script",
                M,
                m.start(),
                m.end(),
                "Pipes a script from an unknown host straight into a shell",
            )
    for m in _GIT_MIRROR_RX.finditer(text):
        url = m.group(1)
        host = host_of(url) if url.startswith("http") else url[4:].split(":", 1)[0]
        if not is_known_host(host):
            yield Hit(
                "exfil.git-mirror",
                M,
                m.start(),
                m.end(),
                "Adds a git remote on an unknown host, a way to copy the repository out",
            )


DATA_RULES = (_secrets, _exfil)
