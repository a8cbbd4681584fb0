//! Random partial writes, the direct write of large bodies and its 16 KiB threshold, and a
//! socket error mid-write.

use super::*;

const CASES: &[(&str, &[Exchange])] = &[
    (
        "pipelined bodies with HEADs between them",
        &[
            ("GET", "/big/70000", 70_000),
            ("HEAD", "/big/70000", 0),
            ("GET", "/big/20000", 20_000),
            ("HEAD", "/chunks/50000/17000", 0),
            ("GET", "/big/100", 100),
            ("GET", "/chunks/100000/30000", 100_000),
        ],
    ),
    (
        "streamed bodies in small and large chunks",
        &[
            ("GET", "/chunks/200000/16384", 200_000),
            ("GET", "/chunks/100000/1000", 100_000),
            ("GET", "/chunks/100000/33333", 100_000),
        ],
    ),
    (
        "bodies longer than announced are cut",
        &[
            ("GET", "/over/40000/100000/30000", 40_000),
            ("GET", "/over/20000/100000/100000", 20_000),
            ("GET", "/big/17", 17),
        ],
    ),
    (
        "a HEAD first",
        &[("HEAD", "/big/70000", 0), ("GET", "/big/70000", 70_000)],
    ),
];

/// Either side of `DIRECT_WRITE_MIN`, in the body and in what the encoder still expects.
const THRESHOLD: (&str, &[Exchange]) = (
    "bodies either side of the direct write's 16 KiB",
    &[
        ("GET", "/big/16383", 16_383),
        ("GET", "/big/16384", 16_384),
        ("HEAD", "/big/16384", 0),
        ("GET", "/chunks/32767/16384", 32_767),
        ("GET", "/chunks/32768/16383", 32_768),
        ("GET", "/over/16383/20000/20000", 16_383),
        ("GET", "/over/16384/20000/20000", 16_384),
        ("GET", "/big/16384", 16_384),
    ],
);

/// Runs `exchanges` over sockets that take writes in random pieces (`vectored` or not) and over
/// an unlimited one: each must get exactly the unlimited vectored socket's (correct) bytes.
async fn same_bytes_as_unlimited(name: &str, exchanges: &[Exchange], vectored: bool, seeds: u64) {
    let (text, _) = requests_of(exchanges);
    for write_buffer in [None, Some(1), Some(200_000)] {
        let want = reference(name, exchanges, write_buffer).await;
        for seed in 0..seeds {
            let io = Io {
                file: send_file::Mode::Off,
                rng: seed * 7919,
                write_buffer,
                vectored,
                fail_at: None,
            };
            let run = serve(&text, io).await;
            assert!(
                run.wire == want,
                "{name} ({io:?}): the wire differs from an unlimited vectored socket's at byte {} \
                 ({} bytes, want {})",
                first_difference(&run.wire, &want),
                run.wire.len(),
                want.len()
            );
            if !vectored {
                // Without writev the head and body must not be offered together: the socket
                // would write the head alone, one system call more for nothing.
                let joint = run
                    .seen
                    .vectored
                    .iter()
                    .filter(|(s, _)| s.len() > 1)
                    .count();
                assert_eq!(
                    joint, 0,
                    "{name} ({io:?}): a non-vectored socket got {joint} vectored writes of \
                     several slices"
                );
            }
        }
    }
}

#[actix_rt::test]
async fn random_partial_writes_put_the_same_correct_bytes_on_the_wire() {
    for (name, exchanges) in CASES {
        same_bytes_as_unlimited(name, exchanges, true, 40).await;
    }
}

#[actix_rt::test]
async fn a_socket_without_vectored_writes_gets_the_same_bytes() {
    for (name, exchanges) in CASES {
        same_bytes_as_unlimited(name, exchanges, false, 40).await;
    }
}

#[actix_rt::test]
async fn bodies_either_side_of_the_threshold_survive_random_partial_writes() {
    let (name, exchanges) = THRESHOLD;
    same_bytes_as_unlimited(name, exchanges, true, 40).await;
    same_bytes_as_unlimited(name, exchanges, false, 40).await;
}

/// The body slices `poll_write_vectored` was offered on an unlimited socket for one request, and
/// the bytes that went through `poll_write` (the write buffer).
async fn direct_writes(path: &str, vectored: bool) -> (Vec<usize>, usize, Run) {
    let text = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    let run = serve(
        &text,
        Io {
            vectored,
            ..UNLIMITED
        },
    )
    .await;
    let bodies = run
        .seen
        .vectored
        .iter()
        .map(|(slices, taken)| {
            assert_eq!(
                *taken,
                slices.iter().sum::<usize>(),
                "{path}: an unlimited socket takes all"
            );
            *slices.last().unwrap()
        })
        .collect();
    (bodies, run.seen.plain, run)
}

#[actix_rt::test]
async fn a_large_body_goes_to_the_socket_with_the_head_in_one_vectored_write() {
    let (bodies, plain, run) = direct_writes("/big/70000", true).await;
    let head = run.wire.len() - 70_000;
    assert_eq!(
        run.seen.vectored,
        [(vec![head, 70_000], head + 70_000)],
        "the head and the 70,000-byte body must go out in one vectored write, the body uncopied"
    );
    assert_eq!(
        (bodies, plain),
        (vec![70_000], 0),
        "nothing through the write buffer"
    );
    let answer = &answers(&run.wire, &[false])[0];
    assert!(answer.body == pattern(70_000));

    // Without writev the head is buffered, so the body is too (the old path), ...
    let (bodies, plain, run) = direct_writes("/big/70000", false).await;
    assert_eq!(
        (bodies, plain),
        (vec![], run.wire.len()),
        "non-vectored /big/70000"
    );
    // ... but a later large chunk, with nothing buffered before it, still goes out directly.
    let (bodies, _, _) = direct_writes("/chunks/200000/50000", false).await;
    assert!(
        !bodies.is_empty() && bodies.iter().all(|&n| n == 50_000),
        "non-vectored /chunks/200000/50000: direct writes {bodies:?}"
    );
}

#[actix_rt::test]
async fn the_direct_write_starts_at_exactly_16_kib() {
    let below = DIRECT_WRITE_MIN - 1;
    for (path, want) in [
        (format!("/big/{below}"), vec![]),
        (format!("/big/{DIRECT_WRITE_MIN}"), vec![DIRECT_WRITE_MIN]),
        // The first chunk goes out directly, the second (one byte short) is buffered.
        (
            format!("/chunks/{}/{DIRECT_WRITE_MIN}", DIRECT_WRITE_MIN + below),
            vec![DIRECT_WRITE_MIN],
        ),
        // What counts is what the encoder still expects, not the chunk's size.
        (format!("/over/{below}/20000/20000"), vec![]),
        (
            format!("/over/{DIRECT_WRITE_MIN}/20000/20000"),
            vec![DIRECT_WRITE_MIN],
        ),
    ] {
        let (bodies, _, run) = direct_writes(&path, true).await;
        assert_eq!(bodies, want, "{path}: the body slices written directly");
        let n = run.wire.len() - answers(&run.wire, &[false])[0].body.len();
        assert!(n < 200, "{path}: a head of {n} bytes");
    }
}

#[actix_rt::test]
async fn a_socket_error_mid_write_ends_the_connection_without_another_write() {
    let exchanges: &[Exchange] = &[
        ("GET", "/big/70000", 70_000),
        ("GET", "/big/100", 100),
        ("HEAD", "/big/20000", 0),
        ("GET", "/chunks/100000/30000", 100_000),
        ("GET", "/chunks/50000/1000", 50_000),
    ];
    let (text, _) = requests_of(exchanges);
    let want = reference("error mid-write", exchanges, None).await;
    let head = want.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut cuts = failure_points(
        &want,
        vec![0, 1, 10, head / 2, head, head + 1, 16_384, 50_000, 70_000],
        12345,
    );
    cuts.push(want.len() - 1);
    for vectored in [true, false] {
        for &fail_at in &cuts {
            for seed in [0, 3, 17, 101] {
                let io = Io {
                    file: send_file::Mode::Off,
                    rng: seed * 7919,
                    write_buffer: None,
                    vectored,
                    fail_at: Some(fail_at),
                };
                let run = serve(&text, io).await;
                assert_ended_at_the_failure(&run, &want, fail_at, io);
            }
        }
    }
}
