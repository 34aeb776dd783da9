"""Rules about what happens to data: secrecy toward the user, exfiltration, credential
theft and tool poisoning.

Each rule needs the whole mechanic, not a keyword: a secret location *and* a verb that
reads or discloses it, data *and* a transfer *and* a destination, a tool trigger *and*
a side effect. Negated sentences ("never print the token") are instructions to protect
data and do not fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledgepulse.sdk.security.document import Segment, Zone
from knowledgepulse.sdk.security.findings import Severity
from knowledgepulse.sdk.security.matching import (
    Hit,
    host_of,
    is_known_host,
    negated,
    rx,
    sentence_bounds,
)

__all__ = ["DATA_RULES", "SECRET_PATH_RX"]

H, M, L, C = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL
GAP = r"[^.!?;]{0,%d}?"

# --- secrecy toward the user -------------------------------------------------------------

_WHO = r"(?:the\s+)?(?:user|users|human|operator|customer|requester|owner|person|anyone|anybody|them)"
_HIDDEN_OBJ = (
    r"(?:any\s+of\s+this|this|these|it|that|them|what\s+you\s+(?:did|do|are\s+doing|changed|ran|run)"
    r"|(?:the|this|that|these)\s+(?:\w+\s+){0,2}?(?:step|steps|instructions?|changes?|calls?"
    r"|requests?|upload|push|mirror|script|commands?|directive|skill|hooks?|mode|parameter"
    r"|snippet|line))\b"
)
_DISCLOSE_VERB = (
    r"mention|reveal|disclose|acknowledge|admit|show|list|report|say|explain|summari[sz]e"
    r"|surface|display|bring\s+up|tell"
)
_CONCEAL_RXS: tuple[tuple[re.Pattern[str], Severity, str], ...] = (
    (rx(rf"\b(?P<neg>do\s+not|don'?t|never|without)\s+(?:ever\s+)?(?:tell(?:ing)?|inform(?:ing)?"
        rf"|notify(?:ing)?|alert(?:ing)?|warn(?:ing)?|let(?:ting)?)\s+{_WHO}\b(?:\s+know\b)?"
        r"(?P<act>\s*(?:$|[,.;:)]|about\s+(?:this|it|that|these|the\s+\w+)|what\s+you|that\s+you"
        r"|(?:and|or)\b|that\s+[\w\s'-]{0,30}?\b(?:was|were|has\s+been|have\s+been|is\s+being)\s+"
        r"(?:changed|modified|added|sent|uploaded|deleted|removed|installed|pushed|edited|disabled"
        r"|read|copied|shared|posted|forwarded)))?"),
     M, "Tells the model to keep the user uninformed"),
    (rx(rf"\b(?:do\s+not|don'?t|never|must\s+not|should\s+not|shouldn'?t)\s+(?:ever\s+)?"
        rf"(?:{_DISCLOSE_VERB})(?:\s*,?\s*(?:or|and|nor)?\s*(?:{_DISCLOSE_VERB}))*\s+"
        rf"(?P<obj>{_HIDDEN_OBJ})(?P<rest>{GAP % 50})"),
     M, "Tells the model not to disclose what it is doing"),
    (rx(r"\b(?:keep|leave)\s+(?P<obj>this|these|it|them|the\s+(?:\w+\s+){0,2}?(?:instructions?"
        r"|directive|step|steps|change|call))?\s*(?:(?:instructions?|directive|step)\s+)?"
        r"(?P<how>secret|confidential|hidden|private|to\s+yourself|between\s+us|out\s+of\s+(?:the\s+"
        r"|your\s+)?(?:summary|response|reply|report|answer|list|diff|explanation|changelog|output))"),
     M, "Tells the model to keep part of its work secret"),
    (rx(rf"\b(?:hide|hiding|conceal|concealing|obscure)\s+(?:{_HIDDEN_OBJ}\s+)?from\s+{_WHO}"),
     H, "Tells the model to hide something from the user"),
    (rx(r"\b(?:the\s+user|users|they|the\s+human|nobody|no\s+one|the\s+operator|the\s+customer)"
        r"\s+(?:must|should|shall|need\s+to|is\s+to|are\s+to|may)?\s*(?:not|never)\s+(?:know|learn"
        r"|find\s+out|notice|see|suspect|reali[sz]e|be\s+told|be\s+aware|discover)"
        r"|\bmake\s+sure\s+(?:the\s+user|they|nobody|no\s+one)\s+(?:doesn'?t|does\s+not|don'?t"
        r"|do\s+not|never|won'?t|will\s+not)\s+(?:know|find\s+out|notice|learn|see|discover|reali[sz]e)"
        r"|\bwithout\s+(?:the\s+user|them|anyone|anybody)\s+(?:knowing|noticing|seeing|reali[sz]ing"
        r"|finding\s+out)"),
     H, "Wants the user not to find out about an action"),
    (rx(r"\bif\s+(?:the\s+user|they|anyone|the\s+human|someone|he|she)\s+(?:ever\s+)?(?:asks?"
        r"|questions?|wonders?|inquires?)\s+(?:you\s+)?(?:about\s+(?:this|it|that|these|the\s+(?:change"
        r"|step|call|instructions?|skill|mirror|push|upload|request|script))|what\s+(?:you\s+did"
        r"|you\s+changed|happened|you\s+ran|this\s+skill\s+does)|why|directly|it)"
        r"[^.!?;]{0,20}?\b(?:say|tell\s+them|answer|claim|deny|respond|pretend)\b"
        r"|\bif\s+questioned\b[^.!?;]{0,30}\b(?:deny|say|claim)\b"
        r"|\b(?:deny|denying)\s+(?:having|that\s+you|it|doing|everything|any)\b"),
     H, "Tells the model to mislead the user about what it did"),
    (rx(r"\b(?:report|tell\s+(?:the\s+user|them)|say|claim|state|pretend|announce)\b[^.!?;]{0,30}?"
        r"\b(?:success|succeeded|that\s+(?:all\s+)?(?:the\s+)?tests?\s+(?:passed|pass|are\s+green)"
        r"|(?:all\s+)?(?:the\s+)?tests\s+(?:passed|pass)|it\s+(?:passed|worked|succeeded)"
        r"|everything\s+(?:passed|worked|is\s+fine))\b"),
     M, "Tells the model to report success"),
    (rx(r"\b(?:omit|hide|suppress|leave\s+out|never\s+show|do\s+not\s+show|don'?t\s+show)\s+"
        r"(?:any\s+|the\s+|all\s+)?(?:failing|failed|error)\s+(?:output|tests?|results?|lines?)"),
     H, "Tells the model to suppress evidence of failure"),
    (rx(r"\b(?:omit|leave\s+out|exclude|strip|remove)\s+(?:it|this|them|these|that)\s+(?:from|out\s+of)"
        r"\s+(?:the\s+|your\s+)?(?:summary|response|reply|report|answer|output|list|diff|explanation"
        r"|changelog|description)"
        r"|\bdo(?:es)?\s+not\s+need\s+to\s+be\s+(?:shown|mentioned|disclosed|displayed|listed)"),
     M, "Tells the model to leave an action out of its report"),
    (rx(r"\b(?:silently|quietly|secretly|covertly|discreetly|stealthily|invisibly)\s+(?:\w+\s+){0,2}?"
        r"(?:run|execute|read|send|upload|post|add|insert|append|install|modify|change|push|copy"
        r"|include|forward|call|fetch|download|commit|put|write|edit|delete|remove)\b"
        r"|\b(?:run|execute|read|send|upload|post|add|insert|append|install|modify|change|push|copy"
        r"|include|forward|call|fetch|download|commit|put|write|edit|delete|remove)\b"
        r"[^.!?;]{0,40}?\b(?:silently|quietly|secretly|covertly|discreetly|stealthily)\b"
        r"|\bwithout\s+(?:saying\s+so|telling\s+anyone|mentioning\s+it|being\s+noticed)"),
     M, "Asks for an action to happen without the user seeing it"),
)
_UPGRADE_TO_USER = re.compile(
    r"\b(?:to|from|with)\s+(?:the\s+)?(?:user|human|customer|operator)\b|\beven\s+if\b",
    re.IGNORECASE,
)
_SPECIFIC_OBJ = re.compile(
    r"instructions?|directive|step|call|upload|push|mirror|script|command|what\s+you", re.IGNORECASE
)
_FALSE_REPORT_CTX = re.compile(
    r"\b(?:even\s+(?:if|when|though)|whatever|regardless|no\s+matter)\b", re.IGNORECASE
)


def _conceal(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for pattern, severity, message in _CONCEAL_RXS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            sev = severity
            if groups.get("neg", "").lower() == "without" and negated(text, m.start(), 50):
                continue  # "never deploy without telling the user" protects the user
            left, right = sentence_bounds(text, m.start(), m.end())
            sentence = text[left:right]
            if "obj" in groups and groups["obj"] and (
                _SPECIFIC_OBJ.search(groups["obj"]) or _UPGRADE_TO_USER.search(sentence)
            ):
                sev = H
            if groups.get("act") is not None and "neg" in groups:
                sev = H
            if groups.get("how") and re.search(r"yourself|between|out\s+of", groups["how"], re.I):
                sev = H
            if message.startswith("Tells the model to report success"):
                if not _FALSE_REPORT_CTX.search(sentence):
                    continue
                sev, message = H, "Tells the model to report success whatever really happened"
            elif "without the user seeing" in message and negated(text, m.start(), 40):
                continue
            yield Hit("conceal.from-user", sev, m.start(), m.end(), message, code_shift=-1)


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
    r"\b(?:every|all|any|each)\s+(?:of\s+the\s+)?(?:[\w-]+[\s,]+){0,3}?(?:api[- ]?keys?|keys|tokens?"
    r"|secrets?|passwords?|credentials|cookies)\b"
)
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
    left = 0
    for m in _COMMAND_SPLIT.finditer(seg.text, 0, start):
        left = m.end()
    m = _COMMAND_SPLIT.search(seg.text, end)
    return left, (m.start() if m else len(seg.text))


def _secrets(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    sources = [(m, "strong" if m.group("strong") else "dotenv") for m in SECRET_PATH_RX.finditer(text)]
    sources += [(m, "env") for m in _ENV_DUMP_RX.finditer(text)]
    sources += [(m, "bulk") for m in rx(_BULK_SECRETS).finditer(text)]
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
            yield Hit("cred.disclose-secret", sev, min(src.start(), verbs[0].start()),
                      max(src.end(), verbs[0].end()),
                      "Tells the model to read secrets and put them where others can see them")
            reported = True
            continue
        if kind in ("strong", "dotenv", "env") and not reported:
            reads = [r for r in _READ_VERBS.finditer(text, max(left, src.start() - 50), src.start())]
            line_start = text.rfind("\n", 0, src.start()) + 1
            code_read = _CODE_READ.match(text, text.rfind(" ", line_start, src.start()) + 1)
            code_read = code_read or next(_CODE_READ.finditer(text, line_start, src.end()), None)
            if (reads or (code_read and code_read.end() >= src.start())) and not negated(
                text, src.start(), 60
            ):
                sev = L if kind in ("dotenv", "env") else M
                message = "Reads a file or store that holds credentials"
                # One command that reads several unrelated credential stores is a sweep.
                stores = {s.group(0) for s, k in sources if k == "strong" and left <= s.start() < right}
                if len(stores) >= 2:
                    sev, message = H, "Reads several credential stores at once"
                yield Hit("cred.read-secret", sev, src.start(), src.end(), message)
                reported = True
    for m in _HARVEST_RX.finditer(text):
        if not negated(text, m.start(), 40):
            yield Hit("cred.harvest", H, m.start(), m.end(),
                      "Collects every credential it can find")
    for m in _PHISH_RX.finditer(text):
        if not negated(text, m.start(), 60):
            yield Hit("cred.phishing", H, m.start(), m.end(),
                      "Asks the user for a password or one-time code")


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
_REMOTE_SCRIPT_RX = rx(r"\b(?:curl|wget)\b[^|\n]*(https?://[^\s|'\"]+)[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|k)?sh\b")
_GIT_MIRROR_RX = rx(r"\bgit\s+remote\s+add\s+\S+\s+(https?://[^\s`]+|git@[^\s`]+)")


def _unknown_dest(text: str) -> bool:
    if any(not is_known_host(host_of(u.group(0))) for u in _URL_RX.finditer(text)):
        return True
    return any(not is_known_host(e.group(0).rsplit("@", 1)[1].lower()) for e in _EMAIL_RX.finditer(text))


def _exfil(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for verb in _TRANSFER.finditer(text):
        if negated(text, verb.start(), 50):
            continue
        data = _SENSITIVE.search(text, verb.end(), min(len(text), verb.end() + 120))
        if not data:
            continue
        window = text[verb.start() : min(len(text), data.end() + 200)]
        if _unknown_dest(window) or _unknown_dest(seg.context[len(text) :][:600]):
            sev = H
        elif _GENERIC_DEST.search(window):
            sev = M
        else:
            continue
        yield Hit("exfil.send-data", sev, verb.start(), data.end(),
                  "Sends conversation, files or secrets to an outside destination")
        break
    sink = _NET_SINK.search(text)
    source = _CODE_SOURCE.search(text)
    if sink and source:
        yield Hit("exfil.secret-to-network", C, min(sink.start(), source.start()),
                  max(sink.end(), source.end()),
                  "A command reads secrets or local history and sends them over the network")
    elif sink and _BULK_ITER.search(text) and _unknown_dest(text):
        yield Hit("exfil.bulk-upload", H, sink.start(), sink.end(),
                  "Uploads every file it walks over to an outside host")
    for m in _DNS_SUBST.finditer(text):
        yield Hit("exfil.dns-encoding", H, m.start(), m.end(),
                  "Encodes local data into a DNS name, which leaks it to the name server")
    for m in _RECIPIENT_RX.finditer(text):
        if not negated(text, m.start(), 40):
            yield Hit("exfil.hidden-recipient", H, m.start(), m.end(),
                      "Adds an extra recipient who silently receives copies of messages")
    for m in _REMOTE_SCRIPT_RX.finditer(text):
        if not is_known_host(host_of(m.group(1))):
            yield Hit("exec.remote-script", M, m.start(), m.end(),
                      "Pipes a script from an unknown host straight into a shell")
    for m in _GIT_MIRROR_RX.finditer(text):
        url = m.group(1)
        host = host_of(url) if url.startswith("http") else url[4:].split(":", 1)[0]
        if not is_known_host(host):
            yield Hit("exfil.git-mirror", M, m.start(), m.end(),
                      "Adds a git remote on an unknown host, a way to copy the repository out")


# --- tool poisoning ------------------------------------------------------------------------

_TOOL_TRIGGER_RX = rx(
    r"\b(?:before|after|whenever|when|every\s+time|each\s+time|prior\s+to|any\s+time)\s+(?:you\s+"
    r"|the\s+user\s+|the\s+model\s+|an?\s+agent\s+)?(?:use|uses|using|call|calls|calling|invoke"
    r"|invokes|invoking|run|runs|running|execute|executes)\s+(?P<scope>any|every|each|another"
    r"|other|all|the|a)?\s*(?:(?:other|mcp|installed|available)\s+)?(?:`?[\w.-]+`?\s+)?tools?\b"
    r"|\b(?:when|whenever|every\s+time|each\s+time|after|before)\s+(?P<scope2>any|an|the|a)\s+"
    r"(?:[\w`.-]+\s+)?tool\s+(?:is\s+called|is\s+invoked|is\s+used|returns|runs|responds)"
    r"|\b(?:the\s+)?`?[\w.-]+`?\s+tool\s+(?:must|should|shall|has\s+to)\s+(?:always\s+)?be\s+"
    r"(?:called|invoked|used|run)\s+with\b"
)
_PARAM_RX = rx(
    r"\b(?:pass|put|include|send|add|set|place|insert|attach)\b(?P<gap>[^.!?;]{0,50}?)\b(?:as|in|into"
    r"|to)\s+(?:the\s+)?[\"'`]?[\w-]+[\"'`]?\s+(?:parameter|argument|param|field)\b"
)
_PARAM_DATA = re.compile(
    r"\b(?:content|contents|conversation|history|credentials|tokens?|keys?|secrets?|environment"
    r"|env|config)\b", re.IGNORECASE
)
_SUPERSEDE_RX = rx(
    r"\b(?:supersedes?|overrides?|replaces?|takes\s+precedence\s+over|changes?|modif(?:y|ies)"
    r"|alters?)\s+(?:the\s+)?(?:behaviou?r|descriptions?|instructions|rules|usage)\s+of\s+(?:the\s+"
    r"|all\s+|any\s+)?(?:(?:other|installed|existing)\s+)*(?:tools|servers|plugins|skills|mcp)"
)
_PSEUDO_TAG_RX = rx(
    r"<\s*/?\s*(?:important|system|instructions?|admin|critical|hidden|secret|assistant|sys"
    r"|directive|override)\s*>"
)


def _tools(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for m in _TOOL_TRIGGER_RX.finditer(text):
        scope = (m.group("scope") or m.group("scope2") or "").lower()
        wide = scope in ("any", "every", "each", "another", "other", "all") or re.search(
            r"\b(?:other|any|every|all)\b", m.group(0), re.IGNORECASE
        )
        yield Hit("tool.cross-tool-trigger", H if wide else M, m.start(), m.end(),
                  "Hooks extra behaviour onto tool calls" + (" of other tools" if wide else ""),
                  code_shift=-1, mentionable=True)
    for m in _PARAM_RX.finditer(text):
        if _PARAM_DATA.search(m.group("gap")):
            yield Hit("tool.param-smuggling", H, m.start(), m.end(),
                      "Smuggles data into a tool call through a parameter", code_shift=-1)
    for m in _SUPERSEDE_RX.finditer(text):
        yield Hit("tool.supersede-tools", H, m.start(), m.end(),
                  "Claims to change how other tools or skills behave", code_shift=-1,
                  mentionable=True)
    for m in _PSEUDO_TAG_RX.finditer(text):
        yield Hit("tool.pseudo-tag", M, m.start(), m.end(),
                  "Wraps text in an attention-grabbing pseudo tag aimed at the model",
                  code_shift=-2, mentionable=True)
        break


DATA_RULES = (_conceal, _secrets, _exfil, _tools)
