# Varnish 7.1 (Debian bookworm: apt-get install varnish varnish-modules) in front of two wirefeed
# processes on one database. Edit the two backends (scripts/cdn.sh writes a copy with its own
# ports); give each wirefeed `[cdn] purge_urls = ["http://<this varnish>/"]` so that a change
# is purged at once, and `[server] trusted_proxies = ["<this varnish's address>"]`: Varnish adds
# the client's address to X-Forwarded-For, and wirefeed's anonymous rate limits then count each
# client, not the cache. What is stored, and for how long, is wirefeed's word alone:
#   - only responses that say `Cache-Control: public` are stored, for s-maxage (else max-age),
#     which wirefeed never lets reach past an embargo lift;
#   - keyed requests (Authorization, ?token=) are passed, never looked up nor stored;
#   - stale-while-revalidate: served stale for that long while one fetch refreshes the copy;
#     stale-if-error: served stale for that long while the origins are down or failing;
#   - PURGE with `xkey: <scopes>` (wirefeed sends it, and Surrogate-Key) drops every stored
#     response whose Surrogate-Key names one of them.
vcl 4.1;

import directors;
import std;
import xkey;

probe healthz {
    .url = "/readyz";       # 200 "ready": database readable and migrated, not shutting down
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;           # healthy from the start
}

backend wirefeed1 { .host = "127.0.0.1"; .port = "8081"; .probe = healthz; }
backend wirefeed2 { .host = "127.0.0.1"; .port = "8082"; .probe = healthz; }

# Who may PURGE: the wirefeed processes, on this host.
acl purgers { "127.0.0.1"; "::1"; }

sub vcl_init {
    new origin = directors.round_robin();   # skips a backend whose probe fails
    origin.add_backend(wirefeed1);
    origin.add_backend(wirefeed2);
}

sub vcl_recv {
    set req.backend_hint = origin.backend();
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey && req.http.Surrogate-Key) {
            set req.http.xkey = req.http.Surrogate-Key;
        }
        if (!req.http.xkey) {
            return (synth(400, "PURGE needs an xkey header"));
        }
        # A hard purge: a soft one would serve the old copy once more (grace).
        set req.http.X-Purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    # One reader's view (a restricted feed, its ETag belongs to the key): never shared.
    # The built-in VCL passes Authorization too; ?token= it would not.
    if (req.http.Authorization || req.url ~ "[?&]token=") {
        return (pass);
    }
    # Each origin's own health and counters.
    if (req.url ~ "^/(healthz|readyz|metrics)") {
        return (pass);
    }
    # wirefeed sets no cookies; a browser's cookies for the host must not turn caching off.
    unset req.http.Cookie;
    # Second lookup from vcl_hit: the stale-while-revalidate window is over, fetch anew.
    if (req.http.X-Grace-Over) {
        set req.grace = 0s;
    }
}

sub vcl_hit {
    # The stored grace is the longer of stale-while-revalidate and stale-if-error. With a
    # healthy origin only the first applies: past it, look up again without grace (a miss,
    # revalidated with If-None-Match while the copy is in keep).
    if (obj.ttl <= 0s && req.restarts == 0 && std.healthy(req.backend_hint) &&
        obj.ttl + std.duration(real = std.real(obj.http.X-SWR, 0)) <= 0s) {
        set req.http.X-Grace-Over = "1";
        return (restart);
    }
}

sub vcl_pass {
    set req.http.X-Pass = "1";
}

sub vcl_backend_response {
    # A failed background refresh keeps the stale copy (stale-if-error).
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    # Store only what wirefeed says anyone may share: never `private` (keyed responses), never
    # `no-store` (401s), nothing without `public` (other error responses). Hit-for-miss: the
    # next request goes straight to an origin and is stored once the origin allows it.
    if (beresp.http.Cache-Control !~ "(?i)\bpublic\b" ||
        beresp.http.Cache-Control ~ "(?i)\b(private|no-store|no-cache)\b") {
        set beresp.ttl = 10s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # vmod xkey indexes the xkey header: the change-log scopes this document depends on.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Surrogate-Control (W3C Edge Architecture): wirefeed sends `max-age=N` on a public
    # picture's bytes when it has no purge URL for this cache, so a killed picture leaves the
    # cache within N s (the copy is revalidated: a 304 against its strong tag), while browsers
    # keep `Cache-Control: immutable`. The header is for this cache alone.
    if (beresp.http.Surrogate-Control ~ "(?i)\bmax-age=\d+") {
        set beresp.ttl = std.duration(real = std.real(regsub(beresp.http.Surrogate-Control, "(?i)^.*\bmax-age=(\d+).*$", "\1"), 0));
        set beresp.grace = 0s;
        unset beresp.http.Surrogate-Control;
    }
    # Varnish has set ttl from s-maxage (else max-age) and grace from stale-while-revalidate.
    set beresp.http.X-SWR = beresp.grace;
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=\d+") {
        set beresp.http.X-SIE = regsub(beresp.http.Cache-Control, "(?i)^.*stale-if-error=(\d+).*$", "\1");
        if (std.duration(real = std.real(beresp.http.X-SIE, 0)) > beresp.grace) {
            set beresp.grace = std.duration(real = std.real(beresp.http.X-SIE, 0));
        }
        unset beresp.http.X-SIE;
    }
    # Past grace, keep the copy a while to revalidate it with If-None-Match (a 304 is cheap).
    set beresp.keep = 1m;
    return (deliver);
}

sub vcl_backend_error {
    # A failed background refresh (origin down) keeps the stale copy too.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    if (req.http.X-Pass) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
    unset resp.http.X-SWR;
}
