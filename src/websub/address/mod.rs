//! Which addresses a callback may point to: the hub calls only ordinary unicast addresses on
//! the Internet. Everything in the IANA special-purpose registries is refused, and an IPv6
//! address that carries an IPv4 one (IPv4-mapped, -compatible, -translated, NAT64, 6to4,
//! Teredo) is refused when the IPv4 address inside is.
//!
//! The tables below are the IANA IPv4 Special-Purpose Address Registry and the IANA IPv6
//! Special-Purpose Address Registry (RFC 6890, updated by RFC 8190), every row, as published in
//! their CSV form (iana-ipv4-special-registry-1.csv, iana-ipv6-special-registry-1.csv); read
//! on 2026-12-06 from a stored copy of those files dated 2026-07-18 (newest rows: IPv4
//! 192.0.0.10/32 of 2017, IPv6 100:0:0:1::/64 of 2025-04).
//!
//! Rows marked "reachable" are Globally Reachable = True in the registry and refused anyway:
//! an anycast service is answered by the *nearest* instance, which may be in the hub's own
//! network (PCP, TURN, DNS-SD SRP, AMT, AS112); ORCHIDv2 and DETs are identifiers, not
//! locators; the NAT64 well-known prefix reaches IPv4 through a translator (on an IPv6-only
//! host behind DNS64 this refuses IPv4-only callbacks). Added to the registries: multicast
//! (the IPv4 and IPv6 multicast address space registries), the deprecated IPv4-compatible,
//! IPv4-translated and site-local blocks, and all IPv6 space outside Global Unicast 2000::/3
//! (IANA IPv6 Address Space: reserved or unassigned, so a network squatting on it is refused).
//!
//! To update: compare the tables with the two registries' CSV files, row by row, add a row
//! (and a test) for each new block, and change the date above.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

/// One refused block: CIDR, the registry's name for it, and its defining RFC.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    /// The block, `address/length`.
    pub cidr: &'static str,
    /// What the registry calls it.
    pub name: &'static str,
    /// Where it is defined.
    pub rfc: &'static str,
}

const fn row(cidr: &'static str, name: &'static str, rfc: &'static str) -> Block {
    Block { cidr, name, rfc }
}

/// IPv4 blocks a callback must not use.
#[rustfmt::skip]
pub static IPV4: &[Block] = &[
    // IANA IPv4 Special-Purpose Address Registry, every row.
    row("0.0.0.0/8",          "\"This network\"",                          "RFC 791 §3.2"),
    row("0.0.0.0/32",         "\"This host on this network\"",             "RFC 1122 §3.2.1.3"),
    row("10.0.0.0/8",         "Private-Use",                               "RFC 1918"),
    row("100.64.0.0/10",      "Shared Address Space",                      "RFC 6598"),
    row("127.0.0.0/8",        "Loopback",                                  "RFC 1122 §3.2.1.3"),
    row("169.254.0.0/16",     "Link Local",                                "RFC 3927"),
    row("172.16.0.0/12",      "Private-Use",                               "RFC 1918"),
    row("192.0.0.0/24",       "IETF Protocol Assignments",                 "RFC 6890 §2.1"),
    row("192.0.0.0/29",       "IPv4 Service Continuity Prefix",            "RFC 7335"),
    row("192.0.0.8/32",       "IPv4 dummy address",                        "RFC 7600"),
    row("192.0.0.9/32",       "Port Control Protocol Anycast",             "RFC 7723"), // reachable: anycast
    row("192.0.0.10/32",      "Traversal Using Relays around NAT Anycast", "RFC 8155"), // reachable: anycast
    row("192.0.0.170/32",     "NAT64/DNS64 Discovery",                     "RFC 8880, RFC 7050 §2.2"),
    row("192.0.0.171/32",     "NAT64/DNS64 Discovery",                     "RFC 8880, RFC 7050 §2.2"),
    row("192.0.2.0/24",       "Documentation (TEST-NET-1)",                "RFC 5737"),
    row("192.31.196.0/24",    "AS112-v4",                                  "RFC 7535"), // reachable: anycast
    row("192.52.193.0/24",    "AMT",                                       "RFC 7450"), // reachable: anycast
    row("192.88.99.0/24",     "Deprecated (6to4 Relay Anycast)",           "RFC 7526"),
    row("192.88.99.2/32",     "6a44-relay anycast address",                "RFC 6751"),
    row("192.168.0.0/16",     "Private-Use",                               "RFC 1918"),
    row("192.175.48.0/24",    "Direct Delegation AS112 Service",           "RFC 7534"), // reachable: anycast
    row("198.18.0.0/15",      "Benchmarking",                              "RFC 2544"),
    row("198.51.100.0/24",    "Documentation (TEST-NET-2)",                "RFC 5737"),
    row("203.0.113.0/24",     "Documentation (TEST-NET-3)",                "RFC 5737"),
    row("240.0.0.0/4",        "Reserved",                                  "RFC 1112 §4"),
    row("255.255.255.255/32", "Limited Broadcast",                         "RFC 8190, RFC 919 §7"),
    // Added: IANA IPv4 Multicast Address Space Registry.
    row("224.0.0.0/4",        "Multicast",                                 "RFC 5771"),
];

/// IPv6 blocks a callback must not use.
#[rustfmt::skip]
pub static IPV6: &[Block] = &[
    // IANA IPv6 Special-Purpose Address Registry, every row.
    row("::1/128",           "Loopback Address",                                   "RFC 4291"),
    row("::/128",            "Unspecified Address",                                "RFC 4291"),
    row("::ffff:0:0/96",     "IPv4-mapped Address",                                "RFC 4291"),
    row("64:ff9b::/96",      "IPv4-IPv6 Translation",                              "RFC 6052"), // reachable: NAT64, via a translator
    row("64:ff9b:1::/48",    "IPv4-IPv6 Translation (local use)",                  "RFC 8215"),
    row("100::/64",          "Discard-Only Address Block",                         "RFC 6666"),
    row("100:0:0:1::/64",    "Dummy IPv6 Prefix",                                  "RFC 9780"),
    row("2001::/23",         "IETF Protocol Assignments",                          "RFC 2928"),
    row("2001::/32",         "TEREDO",                                             "RFC 4380, RFC 8190"),
    row("2001:1::1/128",     "Port Control Protocol Anycast",                      "RFC 7723"), // reachable: anycast
    row("2001:1::2/128",     "Traversal Using Relays around NAT Anycast",          "RFC 8155"), // reachable: anycast
    row("2001:1::3/128",     "DNS-SD Service Registration Protocol Anycast",       "RFC 9665"), // reachable: anycast
    row("2001:2::/48",       "Benchmarking",                                       "RFC 5180, RFC Errata 1752"),
    row("2001:3::/32",       "AMT",                                                "RFC 7450"), // reachable: anycast
    row("2001:4:112::/48",   "AS112-v6",                                           "RFC 7535"), // reachable: anycast
    row("2001:10::/28",      "Deprecated (previously ORCHID)",                     "RFC 4843"),
    row("2001:20::/28",      "ORCHIDv2",                                           "RFC 7343"), // reachable: an identifier
    row("2001:30::/28",      "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374"), // reachable: an identifier
    row("2001:db8::/32",     "Documentation",                                      "RFC 3849"),
    row("2002::/16",         "6to4",                                               "RFC 3056"),
    row("2620:4f:8000::/48", "Direct Delegation AS112 Service",                    "RFC 7534"), // reachable: anycast
    row("3fff::/20",         "Documentation",                                      "RFC 9637"),
    row("5f00::/16",         "Segment Routing (SRv6) SIDs",                        "RFC 9602"),
    row("fc00::/7",          "Unique-Local",                                       "RFC 4193, RFC 8190"),
    row("fe80::/10",         "Link-Local Unicast",                                 "RFC 4291"),
    // Added: deprecated forms that still parse, and multicast.
    row("::/96",             "IPv4-compatible Address (deprecated)",               "RFC 4291 §2.5.5.1"),
    row("::ffff:0:0:0/96",   "IPv4-translated Address",                            "RFC 2765 §2.1"),
    row("fec0::/10",         "Site-Local Unicast (deprecated)",                    "RFC 3879"),
    row("ff00::/8",          "Multicast",                                          "RFC 4291 §2.7"),
    // Added: everything outside Global Unicast 2000::/3 (IANA IPv6 Address Space).
    row("::/3",              "Not Global Unicast",                                 "RFC 4291 §2.4"),
    row("4000::/2",          "Not Global Unicast",                                 "RFC 4291 §2.4"),
    row("8000::/1",          "Not Global Unicast",                                 "RFC 4291 §2.4"),
];

/// How an IPv6 address carries an IPv4 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedding {
    /// `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2).
    Mapped,
    /// `::a.b.c.d`, deprecated (RFC 4291 §2.5.5.1); `::` and `::1` are not.
    Compatible,
    /// `::ffff:0:a.b.c.d` (RFC 2765 §2.1).
    Translated,
    /// `64:ff9b::a.b.c.d` (RFC 6052 §2.1).
    Nat64,
    /// `64:ff9b:1:…:a.b.c.d`, local use (RFC 8215), read as a /96 translation prefix.
    Nat64Local,
    /// `2002:AABB:CCDD::/48`: the IPv4 address is bits 16–47 (RFC 3056 §2).
    SixToFour,
    /// `2001:0::/32`: the client's IPv4 address is the last 32 bits, inverted (RFC 4380 §4).
    Teredo,
}

impl Embedding {
    fn name(self) -> &'static str {
        match self {
            Embedding::Mapped => "IPv4-mapped",
            Embedding::Compatible => "IPv4-compatible",
            Embedding::Translated => "IPv4-translated",
            Embedding::Nat64 => "NAT64",
            Embedding::Nat64Local => "local-use NAT64",
            Embedding::SixToFour => "6to4",
            Embedding::Teredo => "Teredo client",
        }
    }
}

/// The IPv4 address an IPv6 address carries, and how.
pub fn embedded_v4(ip: Ipv6Addr) -> Option<(Embedding, Ipv4Addr)> {
    let s = ip.segments();
    let low = Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    let how = match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Embedding::Mapped,
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => return None,
        [0, 0, 0, 0, 0, 0, _, _] => Embedding::Compatible,
        [0, 0, 0, 0, 0xffff, 0, _, _] => Embedding::Translated,
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Embedding::Nat64,
        [0x64, 0xff9b, 1, ..] => Embedding::Nat64Local,
        [0x2002, hi, lo, ..] => {
            let v4 = Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            return Some((Embedding::SixToFour, v4));
        }
        [0x2001, 0, ..] => return Some((Embedding::Teredo, Ipv4Addr::from(!u32::from(low)))),
        _ => return None,
    };
    Some((how, low))
}

/// Why an address is refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The address asked for.
    pub ip: IpAddr,
    /// The (most specific) block it, or the IPv4 address it carries, is in.
    pub block: &'static Block,
    /// The IPv4 address inside `ip` that is refused, when that is the reason.
    pub embedded: Option<(Embedding, Ipv4Addr)>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ip)?;
        if let Some((how, v4)) = self.embedded {
            write!(f, " carries {v4} ({}), which", how.name())?;
        }
        let Block { cidr, name, rfc } = self.block;
        write!(f, " is in {cidr}: {name} ({rfc})")
    }
}

/// Why `ip` is somewhere a callback must not point, or `None` when it may.
pub fn refusal(ip: IpAddr) -> Option<Refusal> {
    let refused = |block, embedded| Refusal {
        ip,
        block,
        embedded,
    };
    match ip {
        IpAddr::V4(v4) => v4_block(v4).map(|b| refused(b, None)),
        IpAddr::V6(v6) => {
            if let Some((how, v4)) = embedded_v4(v6)
                && let Some(b) = v4_block(v4)
            {
                return Some(refused(b, Some((how, v4))));
            }
            longest(&TABLES.1, u128::from(v6), 128).map(|b| refused(b, None))
        }
    }
}

/// Whether `ip` is somewhere a callback must not point.
pub fn is_forbidden(ip: IpAddr) -> bool {
    refusal(ip).is_some()
}

fn v4_block(ip: Ipv4Addr) -> Option<&'static Block> {
    longest(&TABLES.0, u128::from(u32::from(ip)), 32)
}

type Table = Vec<(u128, u8, &'static Block)>;

/// The tables as numbers: (network, prefix length, row).
static TABLES: LazyLock<(Table, Table)> = LazyLock::new(|| {
    let parse = |rows: &'static [Block], v6: bool| -> Table {
        rows.iter()
            .map(|b| match parse_cidr(b.cidr) {
                Some((IpAddr::V4(a), len)) if !v6 => (u128::from(u32::from(a)), len, b),
                Some((IpAddr::V6(a), len)) if v6 => (u128::from(a), len, b),
                _ => panic!("address table: {:?} is not a network of its family", b.cidr),
            })
            .collect()
    };
    (parse(IPV4, false), parse(IPV6, true))
});

/// `address/length`, with no bits set past the length.
fn parse_cidr(cidr: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    let (bits, width) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    (len <= width && bits & !mask(len, width) == 0).then_some((addr, len))
}

/// The network mask of a `len`-bit prefix of a `width`-bit address.
fn mask(len: u8, width: u8) -> u128 {
    let all = u128::MAX >> (128 - u32::from(width));
    all & !(all.checked_shr(u32::from(len)).unwrap_or(0))
}

/// The most specific row of `table` that `addr` (`width` bits) is in.
fn longest(table: &Table, addr: u128, width: u8) -> Option<&'static Block> {
    table
        .iter()
        .filter(|(net, len, _)| addr & mask(*len, width) == *net)
        .max_by_key(|(_, len, _)| *len)
        .map(|(_, _, b)| *b)
}

#[cfg(test)]
mod tests;
