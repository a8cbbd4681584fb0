//! One test per block of the registries and per way an IPv6 address carries an IPv4 one;
//! no test connects anywhere.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// `cidr` is a row; each of `inside` is refused by exactly that row; none of `outside` is.
fn block(cidr: &str, inside: &[&str], outside: &[&str]) {
    assert!(
        IPV4.iter().chain(IPV6).any(|b| b.cidr == cidr),
        "{cidr} is not a row"
    );
    for a in inside {
        assert!(is_forbidden(ip(a)), "{a} (in {cidr}) is allowed");
        let r = refusal(ip(a)).unwrap();
        assert_eq!(r.block.cidr, cidr, "{a}: {r}");
        assert_eq!(r.embedded, None, "{a}: {r}");
    }
    for a in outside {
        if let Some(r) = refusal(ip(a)) {
            assert_ne!(r.block.cidr, cidr, "{a} (outside {cidr}): {r}");
        }
    }
}

/// `v6` carries `v4` the way `how` says, and is refused for the block `v4` is in.
fn carries(v6: &str, how: Embedding, v4: &str, cidr: &str) {
    let v6a: Ipv6Addr = v6.parse().unwrap();
    assert_eq!(embedded_v4(v6a), Some((how, v4.parse().unwrap())), "{v6}");
    assert!(is_forbidden(ip(v6)), "{v6} (carries {v4}) is allowed");
    let r = refusal(ip(v6)).unwrap();
    assert_eq!(r.block.cidr, cidr, "{v6}: {r}");
    assert_eq!(r.embedded, Some((how, v4.parse().unwrap())), "{v6}: {r}");
}

#[test]
fn every_row_is_a_network_of_its_family() {
    for b in IPV4 {
        assert!(
            matches!(parse_cidr(b.cidr), Some((IpAddr::V4(_), _))),
            "{}",
            b.cidr
        );
    }
    for b in IPV6 {
        assert!(
            matches!(parse_cidr(b.cidr), Some((IpAddr::V6(_), _))),
            "{}",
            b.cidr
        );
    }
    assert_eq!(parse_cidr("10.0.0.1/8"), None, "host bits set");
    assert_eq!(parse_cidr("10.0.0.0/33"), None);
    assert_eq!(parse_cidr("::/129"), None);
    let all: Vec<&str> = IPV4.iter().chain(IPV6).map(|b| b.cidr).collect();
    for (i, c) in all.iter().enumerate() {
        assert!(!all[..i].contains(c), "{c} twice");
    }
    assert_eq!(TABLES.0.len(), IPV4.len());
    assert_eq!(TABLES.1.len(), IPV6.len());
}

#[test]
fn masks() {
    assert_eq!(mask(0, 32), 0);
    assert_eq!(mask(8, 32), 0xff00_0000);
    assert_eq!(mask(32, 32), 0xffff_ffff);
    assert_eq!(mask(1, 128), 1 << 127);
    assert_eq!(mask(128, 128), u128::MAX);
}

// IPv4, one test per row (the first and last address inside, the neighbours outside).

#[test]
fn v4_this_network() {
    block("0.0.0.0/8", &["0.0.0.1", "0.255.255.255"], &["1.0.0.0"]);
    block("0.0.0.0/32", &["0.0.0.0"], &["0.0.0.1"]);
}

#[test]
fn v4_private_use() {
    block(
        "10.0.0.0/8",
        &["10.0.0.0", "10.255.255.255"],
        &["9.255.255.255", "11.0.0.0"],
    );
    block(
        "172.16.0.0/12",
        &["172.16.0.0", "172.31.255.255"],
        &["172.15.255.255", "172.32.0.0"],
    );
    block(
        "192.168.0.0/16",
        &["192.168.0.0", "192.168.255.255"],
        &["192.167.255.255", "192.169.0.0"],
    );
}

#[test]
fn v4_shared_address_space() {
    block(
        "100.64.0.0/10",
        &["100.64.0.0", "100.127.255.255"],
        &["100.63.255.255", "100.128.0.0"],
    );
}

#[test]
fn v4_loopback() {
    block(
        "127.0.0.0/8",
        &["127.0.0.1", "127.255.255.254"],
        &["126.255.255.255", "128.0.0.0"],
    );
}

#[test]
fn v4_link_local() {
    block(
        "169.254.0.0/16",
        &["169.254.0.1", "169.254.169.254"],
        &["169.253.255.255", "169.255.0.0"],
    );
}

#[test]
fn v4_ietf_protocol_assignments() {
    block(
        "192.0.0.0/24",
        &["192.0.0.11", "192.0.0.255"],
        &["191.255.255.255", "192.0.1.0"],
    );
    block("192.0.0.0/29", &["192.0.0.0", "192.0.0.7"], &["192.0.0.8"]);
    block("192.0.0.8/32", &["192.0.0.8"], &["192.0.0.11"]);
    block("192.0.0.9/32", &["192.0.0.9"], &["192.0.0.11"]);
    block("192.0.0.10/32", &["192.0.0.10"], &["192.0.0.11"]);
    block("192.0.0.170/32", &["192.0.0.170"], &["192.0.0.169"]);
    block("192.0.0.171/32", &["192.0.0.171"], &["192.0.0.172"]);
}

#[test]
fn v4_documentation() {
    block(
        "192.0.2.0/24",
        &["192.0.2.0", "192.0.2.255"],
        &["192.0.1.255", "192.0.3.0"],
    );
    block(
        "198.51.100.0/24",
        &["198.51.100.0", "198.51.100.255"],
        &["198.51.99.255", "198.51.101.0"],
    );
    block(
        "203.0.113.0/24",
        &["203.0.113.0", "203.0.113.255"],
        &["203.0.112.255", "203.0.114.0"],
    );
}

#[test]
fn v4_anycast_services() {
    block(
        "192.31.196.0/24",
        &["192.31.196.1"],
        &["192.31.195.255", "192.31.197.0"],
    );
    block(
        "192.52.193.0/24",
        &["192.52.193.1"],
        &["192.52.192.255", "192.52.194.0"],
    );
    block(
        "192.175.48.0/24",
        &["192.175.48.1"],
        &["192.175.47.255", "192.175.49.0"],
    );
}

#[test]
fn v4_6to4_relay_anycast() {
    block(
        "192.88.99.0/24",
        &["192.88.99.1", "192.88.99.255"],
        &["192.88.98.255", "192.88.100.0"],
    );
    block("192.88.99.2/32", &["192.88.99.2"], &["192.88.99.3"]);
}

#[test]
fn v4_benchmarking() {
    block(
        "198.18.0.0/15",
        &["198.18.0.0", "198.19.255.255"],
        &["198.17.255.255", "198.20.0.0"],
    );
}

#[test]
fn v4_multicast_reserved_and_broadcast() {
    block(
        "224.0.0.0/4",
        &["224.0.0.0", "239.255.255.255"],
        &["223.255.255.255"],
    );
    block(
        "240.0.0.0/4",
        &["240.0.0.0", "255.255.255.254"],
        &["239.255.255.255"],
    );
    block("255.255.255.255/32", &["255.255.255.255"], &[]);
}

// IPv6, one test per row.

#[test]
fn v6_loopback_and_unspecified() {
    block("::1/128", &["::1"], &["::2"]);
    block("::/128", &["::"], &["::2"]);
}

#[test]
fn v6_ipv4_embedding_blocks_refused_even_for_a_public_ipv4() {
    block("::ffff:0:0/96", &["::ffff:93.184.216.34"], &["::1:0:0:0"]);
    block("::/96", &["::93.184.216.34"], &[]);
    block("::ffff:0:0:0/96", &["::ffff:0:93.184.216.34"], &[]);
    block(
        "64:ff9b::/96",
        &["64:ff9b::5db8:d822", "64:ff9b::808:808"],
        &["64:ff9b::1:0:0"],
    );
    block(
        "64:ff9b:1::/48",
        &["64:ff9b:1::5db8:d822", "64:ff9b:1:ffff:ffff:ffff:808:808"],
        &["64:ff9b:2::"],
    );
    block("2002::/16", &["2002:5db8:d822::1"], &["2003::1", "2001::"]);
}

#[test]
fn v6_discard_and_dummy() {
    block(
        "100::/64",
        &["100::", "100::ffff:ffff:ffff:ffff"],
        &["100:0:0:2::"],
    );
    block("100:0:0:1::/64", &["100:0:0:1::1"], &["100:0:0:2::"]);
}

#[test]
fn v6_ietf_protocol_assignments() {
    block(
        "2001::/23",
        &["2001:100::1", "2001:1ff:ffff::1"],
        &["2001:200::1", "2000:ffff::1"],
    );
    // Teredo: its own row; 2001::/32 with a public client.
    block("2001::/32", &["2001:0:4136:e378:8000:63bf:a247:2bdd"], &[]);
    block("2001:1::1/128", &["2001:1::1"], &["2001:1::4"]);
    block("2001:1::2/128", &["2001:1::2"], &["2001:1::4"]);
    block("2001:1::3/128", &["2001:1::3"], &["2001:1::4"]);
    block("2001:2::/48", &["2001:2::1"], &["2001:2:1::"]);
    block("2001:3::/32", &["2001:3::1"], &["2001:4::"]);
    block("2001:4:112::/48", &["2001:4:112::1"], &["2001:4:113::"]);
    block(
        "2001:10::/28",
        &["2001:10::1", "2001:1f::1"],
        &["2001:20::"],
    );
    block(
        "2001:20::/28",
        &["2001:20::1", "2001:2f::1"],
        &["2001:30::"],
    );
    block(
        "2001:30::/28",
        &["2001:30::1", "2001:3f::1"],
        &["2001:40::"],
    );
}

#[test]
fn v6_documentation() {
    block(
        "2001:db8::/32",
        &["2001:db8::1", "2001:db8:ffff::1"],
        &["2001:db7::1", "2001:db9::1"],
    );
    block(
        "3fff::/20",
        &["3fff::1", "3fff:fff:ffff::1"],
        &["3fff:1000::1", "3ffe:ffff::1"],
    );
}

#[test]
fn v6_as112_direct_delegation() {
    block(
        "2620:4f:8000::/48",
        &["2620:4f:8000::1"],
        &["2620:4f:8001::", "2620:4f:7fff::"],
    );
}

#[test]
fn v6_srv6_sids() {
    block("5f00::/16", &["5f00::1", "5f00:ffff::1"], &["5f01::1"]);
}

#[test]
fn v6_unique_local_link_local_site_local() {
    block("fc00::/7", &["fc00::1", "fdff:ffff::1"], &["fe00::1"]);
    block("fe80::/10", &["fe80::1", "febf:ffff::1"], &["fec0::1"]);
    block("fec0::/10", &["fec0::1", "feff:ffff::1"], &["ff00::1"]);
}

#[test]
fn v6_multicast() {
    block("ff00::/8", &["ff02::1", "ff0e::1"], &["fe00::1"]);
}

#[test]
fn v6_outside_global_unicast() {
    block("::/3", &["1::1", "1fff::1"], &["2000::1"]);
    block("4000::/2", &["4000::1", "7fff::1"], &["3fff:1000::1"]);
    block("8000::/1", &["8000::1", "fbff::1"], &[]);
}

// Each way an IPv6 address carries an IPv4 one; the IPv4 address is checked.

#[test]
fn embedded_ipv4_mapped() {
    carries(
        "::ffff:127.0.0.1",
        Embedding::Mapped,
        "127.0.0.1",
        "127.0.0.0/8",
    );
    carries(
        "::ffff:169.254.169.254",
        Embedding::Mapped,
        "169.254.169.254",
        "169.254.0.0/16",
    );
}

#[test]
fn embedded_ipv4_compatible() {
    carries(
        "::127.0.0.1",
        Embedding::Compatible,
        "127.0.0.1",
        "127.0.0.0/8",
    );
    carries(
        "::10.1.2.3",
        Embedding::Compatible,
        "10.1.2.3",
        "10.0.0.0/8",
    );
    assert_eq!(embedded_v4("::1".parse().unwrap()), None);
    assert_eq!(embedded_v4("::".parse().unwrap()), None);
}

#[test]
fn embedded_ipv4_translated() {
    carries(
        "::ffff:0:127.0.0.1",
        Embedding::Translated,
        "127.0.0.1",
        "127.0.0.0/8",
    );
    carries(
        "::ffff:0:192.168.1.1",
        Embedding::Translated,
        "192.168.1.1",
        "192.168.0.0/16",
    );
}

#[test]
fn embedded_ipv4_nat64() {
    carries(
        "64:ff9b::7f00:1",
        Embedding::Nat64,
        "127.0.0.1",
        "127.0.0.0/8",
    );
    carries(
        "64:ff9b::a9fe:a9fe",
        Embedding::Nat64,
        "169.254.169.254",
        "169.254.0.0/16",
    );
    carries(
        "64:ff9b:1::a00:1",
        Embedding::Nat64Local,
        "10.0.0.1",
        "10.0.0.0/8",
    );
    carries(
        "64:ff9b:1:abcd::c612:1",
        Embedding::Nat64Local,
        "198.18.0.1",
        "198.18.0.0/15",
    );
}

#[test]
fn embedded_ipv4_6to4() {
    carries(
        "2002:7f00:1::",
        Embedding::SixToFour,
        "127.0.0.1",
        "127.0.0.0/8",
    );
    carries(
        "2002:c0a8:101:1::1",
        Embedding::SixToFour,
        "192.168.1.1",
        "192.168.0.0/16",
    );
    carries(
        "2002:a9fe:a9fe::1",
        Embedding::SixToFour,
        "169.254.169.254",
        "169.254.0.0/16",
    );
}

#[test]
fn embedded_ipv4_teredo() {
    // Server 65.54.227.120, client 127.0.0.1 (stored inverted: 80ff:fffe).
    carries(
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        Embedding::Teredo,
        "127.0.0.1",
        "127.0.0.0/8",
    );
    carries(
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",
        Embedding::Teredo,
        "10.0.0.1",
        "10.0.0.0/8",
    );
}

#[test]
fn public_addresses_are_allowed() {
    for a in [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:2800:220:1::1",
        "2606:4700::1111",
        "2a00:1450:4001::1",
        "2001:200::1",
    ] {
        assert_eq!(refusal(ip(a)), None, "{a}");
    }
}

#[test]
fn a_refusal_names_the_block_and_the_carried_address() {
    assert_eq!(
        refusal(ip("10.1.2.3")).unwrap().to_string(),
        "10.1.2.3 is in 10.0.0.0/8: Private-Use (RFC 1918)"
    );
    assert_eq!(
        refusal(ip("::ffff:127.0.0.1")).unwrap().to_string(),
        "::ffff:127.0.0.1 carries 127.0.0.1 (IPv4-mapped), which is in 127.0.0.0/8: Loopback (RFC 1122 §3.2.1.3)"
    );
}
