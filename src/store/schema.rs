//! Schema migrations, applied by `PRAGMA user_version` in one exclusive transaction.

/// Each entry migrates from version `index` to `index + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: articles, every version ever stored, and the topic index feeds are read from.
    r#"
    CREATE TABLE articles (
        id              TEXT PRIMARY KEY,
        version         INTEGER NOT NULL CHECK (version >= 1),
        status          TEXT NOT NULL DEFAULT 'usable'
                        CHECK (status IN ('usable', 'withheld', 'canceled')),
        headline        TEXT NOT NULL,
        summary         TEXT,
        body            TEXT NOT NULL,
        language        TEXT NOT NULL,
        lang_key        TEXT NOT NULL,          -- primary subtag, lowercase: what `lang=` filters on
        byline          TEXT NOT NULL,          -- JSON array of names
        dateline        TEXT,
        published_at    INTEGER NOT NULL,       -- Unix seconds, UTC
        embargo_until   INTEGER,
        editor_topics   TEXT NOT NULL,          -- JSON array
        topics          TEXT NOT NULL,          -- JSON array, final (editor + automatic), sorted
        keywords        TEXT NOT NULL,          -- JSON array
        urgency         INTEGER CHECK (urgency BETWEEN 1 AND 9),
        translation_of  TEXT,
        revision        TEXT NOT NULL CHECK (revision IN ('update', 'correction', 'minor')),
        correction_note TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        canceled_at     INTEGER
    ) STRICT;

    -- `all` feed pages, with and without a language filter: newest first, ties by id.
    CREATE INDEX articles_by_published ON articles (published_at DESC, id DESC);
    CREATE INDEX articles_by_lang_published ON articles (lang_key, published_at DESC, id DESC);
    -- `kills` feed pages.
    CREATE INDEX articles_by_canceled ON articles (canceled_at DESC, id DESC) WHERE canceled_at IS NOT NULL;
    CREATE INDEX articles_by_lang_canceled ON articles (lang_key, canceled_at DESC, id DESC) WHERE canceled_at IS NOT NULL;
    CREATE INDEX articles_by_translation ON articles (translation_of) WHERE translation_of IS NOT NULL;

    CREATE TABLE article_versions (
        article_id      TEXT NOT NULL REFERENCES articles (id),
        version         INTEGER NOT NULL,
        status          TEXT NOT NULL,
        revision        TEXT NOT NULL,
        correction_note TEXT,
        content         TEXT NOT NULL,          -- JSON of the content as submitted
        topics          TEXT NOT NULL,          -- JSON array, final topics of this version
        stored_at       INTEGER NOT NULL,
        PRIMARY KEY (article_id, version)
    ) STRICT, WITHOUT ROWID;

    -- Topic feed pages: one row per (article, topic), denormalised so a page is one index range.
    CREATE TABLE article_topics (
        topic           TEXT NOT NULL,
        published_at    INTEGER NOT NULL,
        article_id      TEXT NOT NULL REFERENCES articles (id),
        lang_key        TEXT NOT NULL,
        PRIMARY KEY (topic, published_at, article_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX article_topics_by_lang ON article_topics (topic, lang_key, published_at, article_id);
    CREATE INDEX article_topics_by_article ON article_topics (article_id);
    "#,
    // 2: a change log per feed scope (so every process knows which feeds changed), update
    // times on topic rows (for `since=` polls), and indexes for `since=` and embargo lifts.
    r#"
    CREATE TABLE changes (
        scope       TEXT PRIMARY KEY,           -- '*' (the counter), 'all', 'kills', 'topic:<id>'
        seq         INTEGER NOT NULL,
        changed_at  INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO changes (scope, seq, changed_at) VALUES ('*', 1, CAST(strftime('%s', 'now') AS INTEGER));

    ALTER TABLE article_topics ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
    UPDATE article_topics SET updated_at = (SELECT a.updated_at FROM articles a WHERE a.id = article_topics.article_id);
    CREATE INDEX article_topics_by_updated ON article_topics (topic, updated_at);
    CREATE INDEX articles_by_updated ON articles (updated_at);
    CREATE INDEX articles_by_embargo ON articles (embargo_until) WHERE embargo_until IS NOT NULL;
    "#,
    // 3: the newsroom: kill reasons, a per-article change time (validators and the publisher
    // listing), API keys (only hashes of tokens), and the date of feeds that never changed.
    r#"
    ALTER TABLE articles ADD COLUMN kill_reason TEXT;
    ALTER TABLE articles ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;   -- Unix milliseconds
    UPDATE articles SET changed_at = max(updated_at, coalesce(canceled_at, 0)) * 1000;
    ALTER TABLE article_versions ADD COLUMN kill_reason TEXT;
    CREATE INDEX articles_by_updated_id ON articles (updated_at DESC, id DESC);

    CREATE TABLE api_keys (
        name            TEXT PRIMARY KEY,
        role            TEXT NOT NULL CHECK (role IN ('publisher', 'subscriber')),
        feeds           TEXT NOT NULL,          -- JSON array of feed ids (subscriber scope)
        token_hash      BLOB NOT NULL UNIQUE,   -- SHA-256 of the token; the token itself is never stored
        rate_per_minute INTEGER,
        created_at      INTEGER NOT NULL,
        expires_at      INTEGER,
        revoked_at      INTEGER,
        last_seen_at    INTEGER,
        requests        INTEGER NOT NULL DEFAULT 0,
        not_modified    INTEGER NOT NULL DEFAULT 0,
        last_feed       TEXT
    ) STRICT;

    INSERT INTO changes (scope, seq, changed_at) VALUES ('created', 0,
        coalesce((SELECT min(created_at) FROM articles), CAST(strftime('%s', 'now') AS INTEGER)));
    "#,
    // 4: `since=` keys on the moment this server recorded a visible change (filed, updated,
    // killed, re-topiced, or its embargo lifted), in milliseconds, not on the story's own
    // dates: copy filed after its `published_at` must still reach every poller.
    r#"
    ALTER TABLE articles ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET seen_at = max(changed_at, coalesce(embargo_until, 0) * 1000);
    ALTER TABLE article_topics ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
    UPDATE article_topics SET seen_at = (SELECT a.seen_at FROM articles a WHERE a.id = article_topics.article_id);
    DROP INDEX IF EXISTS articles_by_updated;
    DROP INDEX IF EXISTS article_topics_by_updated;
    CREATE INDEX articles_by_seen ON articles (seen_at);
    CREATE INDEX article_topics_by_seen ON article_topics (topic, seen_at);
    "#,
    // 5: subscriber-only articles (every topic is selected only by restricted feeds), kept in
    // step with the config's restricted topics, which `meta` remembers.
    r#"
    ALTER TABLE articles ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE meta (
        key     TEXT PRIMARY KEY,
        value   TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 6: the WebSub hub (docs/api.md, Push (WebSub)). A topic remembers the hash of the document last pushed,
    // so a change is pushed once whichever process sees it; a subscription has at most one
    // pending delivery (of the latest document: a burst is coalesced), retried with backoff.
    r#"
    CREATE TABLE websub_subscriptions (
        id              INTEGER PRIMARY KEY,
        callback        TEXT NOT NULL,
        topic           TEXT NOT NULL,
        secret          TEXT,
        lease_seconds   INTEGER NOT NULL,
        expires_at      INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        last_delivery_at INTEGER,
        last_status     INTEGER,
        failures        INTEGER NOT NULL DEFAULT 0,
        UNIQUE (callback, topic)
    ) STRICT;
    CREATE INDEX websub_subscriptions_by_topic ON websub_subscriptions (topic);
    CREATE TABLE websub_topics (
        topic           TEXT PRIMARY KEY,
        hash            TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE websub_deliveries (
        subscription_id INTEGER PRIMARY KEY REFERENCES websub_subscriptions (id) ON DELETE CASCADE,
        generation      INTEGER NOT NULL DEFAULT 1,
        attempts        INTEGER NOT NULL DEFAULT 0,
        due_at          INTEGER NOT NULL,
        lease_until     INTEGER NOT NULL DEFAULT 0,
        enqueued_at     INTEGER NOT NULL,
        last_error      TEXT
    ) STRICT;
    CREATE INDEX websub_deliveries_by_due ON websub_deliveries (due_at);
    "#,
    // 7: full-text search (docs/api.md, Pages, search and discovery) over headline, summary and body, accent- and
    // case-insensitive (unicode61 folds case and strips diacritics in every script), kept by
    // triggers in the same transaction as every write; and the UTC offset a story's
    // `published_at` was written with, so pages show the story's own local time.
    r#"
    ALTER TABLE articles ADD COLUMN published_offset INTEGER;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        headline, summary, body,
        content = 'articles', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, headline, summary, body)
        VALUES (new.rowid, new.headline, new.summary, new.body);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, summary, body)
        VALUES ('delete', old.rowid, old.headline, old.summary, old.body);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF headline, summary, body ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, summary, body)
        VALUES ('delete', old.rowid, old.headline, old.summary, old.body);
        INSERT INTO articles_fts (rowid, headline, summary, body)
        VALUES (new.rowid, new.headline, new.summary, new.body);
    END;
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    "#,
    // 8: the few articles not usable, so /metrics counts articles by status without a scan.
    r#"
    CREATE INDEX articles_by_status ON articles (status) WHERE status != 'usable';
    "#,
    // 9: the search index in feed order, so a saved search (`?q=` on a feed) walks its matches
    // newest first and stops at the page instead of gathering every match (docs/api.md, Pages, search and discovery). Its
    // rowid is the article's `published_at` (clamped to ±2^34 s, years 1425–2514) above the
    // article's rowid (28 bits): unique, and ordered like the feed to the second (see
    // `store::fts`). A contentless index: the triggers hand it every value, old ones too. The
    // `facets` column holds a token per language and topic (`l` or `t` and the UTF-8 hex of the
    // value), so a feed's language and topic are matched by FTS5 itself.
    r#"
    DROP TRIGGER articles_fts_insert;
    DROP TRIGGER articles_fts_delete;
    DROP TRIGGER articles_fts_update;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        headline, summary, body, facets,
        content = '',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_capacity BEFORE INSERT ON articles
    WHEN (SELECT max(rowid) FROM articles) >= 268435455 BEGIN
        SELECT RAISE(ABORT, 'the search index holds at most 268,435,455 articles');
    END;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, headline, summary, body, facets)
        VALUES ((max(-17179869184, min(17179869183, new.published_at)) << 28) | new.rowid,
            new.headline, new.summary, new.body,
            'l' || hex(new.lang_key) || coalesce((SELECT group_concat(' t' || hex(value), '') FROM json_each(new.topics)), ''));
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, summary, body, facets)
        VALUES ('delete', (max(-17179869184, min(17179869183, old.published_at)) << 28) | old.rowid,
            old.headline, old.summary, old.body,
            'l' || hex(old.lang_key) || coalesce((SELECT group_concat(' t' || hex(value), '') FROM json_each(old.topics)), ''));
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF headline, summary, body, published_at, lang_key, topics ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, summary, body, facets)
        VALUES ('delete', (max(-17179869184, min(17179869183, old.published_at)) << 28) | old.rowid,
            old.headline, old.summary, old.body,
            'l' || hex(old.lang_key) || coalesce((SELECT group_concat(' t' || hex(value), '') FROM json_each(old.topics)), ''));
        INSERT INTO articles_fts (rowid, headline, summary, body, facets)
        VALUES ((max(-17179869184, min(17179869183, new.published_at)) << 28) | new.rowid,
            new.headline, new.summary, new.body,
            'l' || hex(new.lang_key) || coalesce((SELECT group_concat(' t' || hex(value), '') FROM json_each(new.topics)), ''));
    END;
    INSERT INTO articles_fts (rowid, headline, summary, body, facets)
    SELECT (max(-17179869184, min(17179869183, published_at)) << 28) | rowid, headline, summary, body,
        'l' || hex(lang_key) || coalesce((SELECT group_concat(' t' || hex(value), '') FROM json_each(articles.topics)), '')
    FROM articles;
    INSERT INTO articles_fts (articles_fts) VALUES ('optimize');
    "#,
    // 10: pictures (docs/api.md, Pictures). The image files live in the media folder, named by
    // their SHA-256; these rows only point at them, and are committed after the files are on
    // disk. `article_pictures` says which stories show which picture (what a picture's access
    // and a picture change's scopes follow); `articles.media` is the story's own list.
    r#"
    ALTER TABLE articles ADD COLUMN media TEXT NOT NULL DEFAULT '[]';   -- JSON [{id, caption?}]
    CREATE TABLE pictures (
        id              TEXT PRIMARY KEY,
        version         INTEGER NOT NULL CHECK (version >= 1),
        status          TEXT NOT NULL CHECK (status IN ('usable', 'canceled')),
        meta            TEXT NOT NULL,          -- JSON: caption, alt_text, credit, ...
        from_file       TEXT NOT NULL,          -- JSON array: fields read from the file
        renditions      TEXT NOT NULL,          -- JSON array: name, media_type, width, height, bytes, sha256
        source_sha256   TEXT NOT NULL,
        source_type     TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        changed_at      INTEGER NOT NULL,       -- Unix milliseconds
        canceled_at     INTEGER
    ) STRICT;
    CREATE INDEX pictures_by_source ON pictures (source_sha256);
    CREATE TABLE picture_versions (
        picture_id      TEXT NOT NULL REFERENCES pictures (id),
        version         INTEGER NOT NULL,
        status          TEXT NOT NULL,
        meta            TEXT NOT NULL,
        renditions      TEXT NOT NULL,
        source_sha256   TEXT NOT NULL,
        stored_at       INTEGER NOT NULL,
        PRIMARY KEY (picture_id, version)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE article_pictures (
        picture_id      TEXT NOT NULL,
        article_id      TEXT NOT NULL REFERENCES articles (id),
        PRIMARY KEY (picture_id, article_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX article_pictures_by_article ON article_pictures (article_id);
    "#,
    // 11: places (contract §14): the editor's countries and the final ones (editor ∪ found by
    // the place finder), ISO 3166-1 alpha-2 codes as JSON arrays. Existing articles get theirs
    // from `wirefeed reclassify`.
    r#"
    ALTER TABLE articles ADD COLUMN editor_places TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE articles ADD COLUMN places TEXT NOT NULL DEFAULT '[]';
    "#,
    // 12: country feeds (`?country=`, `[[feed]] countries`, contract §14). One row per (place,
    // feed scope) of every article: scope '' is the `all` feed, else a topic id, so a country's
    // page of a feed is one index range like a topic's. Kept by triggers in the same
    // transaction as every write, whatever path wrote the article (files, API, reclassify,
    // kills, picture changes moving `seen_at`). And a subscriber key may be narrowed to
    // countries (`wirefeed keys add --country`).
    r#"
    CREATE TABLE article_places (
        country         TEXT NOT NULL,          -- ISO 3166-1 alpha-2
        topic           TEXT NOT NULL,          -- '' (the `all` feed) or a topic id
        published_at    INTEGER NOT NULL,
        article_id      TEXT NOT NULL REFERENCES articles (id),
        lang_key        TEXT NOT NULL,
        seen_at         INTEGER NOT NULL,
        PRIMARY KEY (country, topic, published_at, article_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX article_places_by_article ON article_places (article_id);
    CREATE INDEX article_places_by_lang ON article_places (country, topic, lang_key, published_at, article_id);
    CREATE INDEX article_places_by_seen ON article_places (country, topic, seen_at);
    CREATE TRIGGER article_places_insert AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at)
        SELECT p.value, '', new.published_at, new.id, new.lang_key, new.seen_at FROM json_each(new.places) p
        UNION ALL
        SELECT p.value, t.value, new.published_at, new.id, new.lang_key, new.seen_at
        FROM json_each(new.places) p, json_each(new.topics) t;
    END;
    CREATE TRIGGER article_places_update AFTER UPDATE OF places, topics, published_at, lang_key, seen_at ON articles BEGIN
        DELETE FROM article_places WHERE article_id = old.id;
        INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at)
        SELECT p.value, '', new.published_at, new.id, new.lang_key, new.seen_at FROM json_each(new.places) p
        UNION ALL
        SELECT p.value, t.value, new.published_at, new.id, new.lang_key, new.seen_at
        FROM json_each(new.places) p, json_each(new.topics) t;
    END;
    CREATE TRIGGER article_places_delete AFTER DELETE ON articles BEGIN
        DELETE FROM article_places WHERE article_id = old.id;
    END;
    INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at)
    SELECT p.value, '', a.published_at, a.id, a.lang_key, a.seen_at FROM articles a, json_each(a.places) p
    UNION ALL
    SELECT p.value, t.value, a.published_at, a.id, a.lang_key, a.seen_at
    FROM articles a, json_each(a.places) p, json_each(a.topics) t;

    ALTER TABLE api_keys ADD COLUMN countries TEXT NOT NULL DEFAULT '[]';   -- JSON array: the key sees only stories about these
    "#,
    // 13: usage terms of one story (contract §15); NULL: the agency's apply.
    r#"
    ALTER TABLE articles ADD COLUMN usage_terms TEXT;
    "#,
    // 14: country pages of the built-in `urgent` feed (contract §14 with §15): `article_places`
    // rows under the reserved key `urgent` for the public stories the urgent index holds
    // (`store/urgent.rs`: urgency up to `meta.urgent_max`), kept by the same triggers, which
    // now also follow a story's urgency and restriction.
    r#"
    DROP TRIGGER article_places_insert;
    DROP TRIGGER article_places_update;
    CREATE TRIGGER article_places_insert AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at)
        SELECT p.value, '', new.published_at, new.id, new.lang_key, new.seen_at FROM json_each(new.places) p
        UNION ALL
        SELECT p.value, t.value, new.published_at, new.id, new.lang_key, new.seen_at
        FROM json_each(new.places) p, json_each(new.topics) t
        UNION ALL
        SELECT p.value, 'urgent', new.published_at, new.id, new.lang_key, new.seen_at
        FROM json_each(new.places) p
        WHERE new.restricted = 0 AND new.urgency <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'urgent_max');
    END;
    CREATE TRIGGER article_places_update AFTER UPDATE OF places, topics, published_at, lang_key, seen_at, urgency, restricted ON articles BEGIN
        DELETE FROM article_places WHERE article_id = old.id;
        INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at)
        SELECT p.value, '', new.published_at, new.id, new.lang_key, new.seen_at FROM json_each(new.places) p
        UNION ALL
        SELECT p.value, t.value, new.published_at, new.id, new.lang_key, new.seen_at
        FROM json_each(new.places) p, json_each(new.topics) t
        UNION ALL
        SELECT p.value, 'urgent', new.published_at, new.id, new.lang_key, new.seen_at
        FROM json_each(new.places) p
        WHERE new.restricted = 0 AND new.urgency <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'urgent_max');
    END;
    INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at)
    SELECT p.value, 'urgent', a.published_at, a.id, a.lang_key, a.seen_at FROM articles a, json_each(a.places) p
    WHERE a.restricted = 0 AND a.urgency <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'urgent_max');
    "#,
    // 15: email alerts (contract §16; src/alerts). Subscriptions hold the address (needed to send)
    // and only SHA-256 hashes of their tokens; `alert_events` is the outbox a story write fills
    // in its own transaction (due when the story becomes visible), fanned out into
    // `alert_outbox`, one row per message, sent by the worker under a lease and retried with
    // backoff; `alert_digest_runs` records each digest slot once, in the transaction that
    // enqueues it, so a digest is never sent twice or skipped across a restart.
    r#"
    CREATE TABLE alert_subscriptions (
        id              INTEGER PRIMARY KEY,
        email           TEXT NOT NULL,
        email_hash      TEXT NOT NULL,          -- hex SHA-256 of the lower-cased address: logs, limits
        topics          TEXT NOT NULL,          -- JSON array of topic ids ([] = every topic)
        countries       TEXT NOT NULL,          -- JSON array of ISO 3166-1 alpha-2 codes ([] = anywhere)
        language        TEXT,                   -- primary subtag stories must have (NULL = any)
        ui              TEXT NOT NULL,          -- language of the mail itself
        q               TEXT,                   -- saved search, canonical form
        frequency       TEXT NOT NULL CHECK (frequency IN ('immediate', 'daily', 'weekly')),
        key_name        TEXT,                   -- subscriber key entitling restricted stories
        state           TEXT NOT NULL CHECK (state IN ('pending', 'active', 'suspended')),
        created_at      INTEGER NOT NULL,       -- Unix ms
        confirmed_at    INTEGER,
        failures        INTEGER NOT NULL DEFAULT 0,
        digest_from     INTEGER NOT NULL DEFAULT 0   -- Unix ms: the next digest holds stories seen after this
    ) STRICT;
    CREATE INDEX alert_subscriptions_by_email ON alert_subscriptions (email_hash);
    CREATE INDEX alert_subscriptions_by_state ON alert_subscriptions (state, frequency);
    CREATE TABLE alert_tokens (
        token_hash      BLOB PRIMARY KEY,
        subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
        created_at      INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX alert_tokens_by_subscription ON alert_tokens (subscription_id);
    CREATE TABLE alert_confirmations (
        email_hash      TEXT PRIMARY KEY,
        sent_at         INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE alert_events (
        id              INTEGER PRIMARY KEY,
        article_id      TEXT NOT NULL,
        version         INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('new', 'correction', 'kill')),
        due_at          INTEGER NOT NULL,       -- Unix ms: when the story becomes visible
        UNIQUE (article_id, version)
    ) STRICT;
    CREATE INDEX alert_events_by_due ON alert_events (due_at);
    CREATE TABLE alert_outbox (
        id              INTEGER PRIMARY KEY,
        subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
        kind            TEXT NOT NULL CHECK (kind IN ('confirm', 'story', 'correction', 'kill', 'digest')),
        article_id      TEXT NOT NULL DEFAULT '',
        version         INTEGER NOT NULL DEFAULT 0,
        digest          TEXT NOT NULL DEFAULT '',   -- 'daily:2026-12-07', 'weekly:2026-W49'
        stories         TEXT NOT NULL DEFAULT '[]', -- JSON array of article ids (digests)
        message_id      TEXT NOT NULL,
        in_reply_to     TEXT,
        state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'dropped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        due_at          INTEGER NOT NULL,
        lease_until     INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        sent_at         INTEGER,
        last_error      TEXT,
        UNIQUE (subscription_id, kind, article_id, version, digest)
    ) STRICT;
    CREATE INDEX alert_outbox_by_due ON alert_outbox (due_at) WHERE state = 'queued';
    CREATE INDEX alert_outbox_by_article ON alert_outbox (article_id, kind) WHERE article_id <> '';
    CREATE TABLE alert_digest_runs (
        frequency       TEXT NOT NULL,
        period          TEXT NOT NULL,
        slot_at         INTEGER NOT NULL,       -- Unix ms of the slot
        ran_at          INTEGER NOT NULL,
        messages        INTEGER NOT NULL,
        PRIMARY KEY (frequency, period)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 16: developing stories (contract §15): the earlier take a story updates or replaces, and
    // its slugline. The partial index finds a story's later takes: the links both ways, and the
    // one probe per listed story that `?latest=true` costs.
    r#"
    ALTER TABLE articles ADD COLUMN evolved_from TEXT;
    ALTER TABLE articles ADD COLUMN slugline TEXT;
    CREATE INDEX articles_by_evolved_from ON articles (evolved_from) WHERE evolved_from IS NOT NULL;
    "#,
    // 17: related stories (contract §15; store/related.rs): each article's ranked list, written
    // with the article; `computed_at` (Unix ms) is when the list last changed, which its
    // documents' Last-Modified follows. What a link shows (headline, language, dates) is kept in
    // the row, so a feed page reads each item's list as one range, without a look-up per story;
    // a write to a listed story updates its rows. The second index finds the lists naming a story
    // that is written, killed or becomes subscriber-only.
    r#"
    CREATE TABLE article_related (
        article_id      TEXT NOT NULL,
        rank            INTEGER NOT NULL,
        related_id      TEXT NOT NULL,
        headline        TEXT NOT NULL,
        language        TEXT NOT NULL,
        published_at    INTEGER NOT NULL,
        embargo_until   INTEGER,
        computed_at     INTEGER NOT NULL,
        PRIMARY KEY (article_id, rank)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX article_related_by_related ON article_related (related_id);
    "#,
];

/// Indexes that only serve reads, as the migrations above leave them. A bulk load into an empty
/// database drops them and builds them once at the end (sorting once instead of inserting a
/// million keys at random places); opening a database recreates any that are missing, so an
/// interrupted bulk load heals itself.
pub(super) const READ_INDEXES: &[(&str, &str)] = &[
    (
        "articles_by_published",
        "CREATE INDEX IF NOT EXISTS articles_by_published ON articles (published_at DESC, id DESC)",
    ),
    (
        "articles_by_lang_published",
        "CREATE INDEX IF NOT EXISTS articles_by_lang_published ON articles (lang_key, published_at DESC, id DESC)",
    ),
    (
        "articles_by_seen",
        "CREATE INDEX IF NOT EXISTS articles_by_seen ON articles (seen_at)",
    ),
    (
        "article_topics_by_lang",
        "CREATE INDEX IF NOT EXISTS article_topics_by_lang ON article_topics (topic, lang_key, published_at, article_id)",
    ),
    (
        "article_places_by_lang",
        "CREATE INDEX IF NOT EXISTS article_places_by_lang ON article_places (country, topic, lang_key, published_at, article_id)",
    ),
    (
        "article_places_by_seen",
        "CREATE INDEX IF NOT EXISTS article_places_by_seen ON article_places (country, topic, seen_at)",
    ),
    (
        "article_topics_by_seen",
        "CREATE INDEX IF NOT EXISTS article_topics_by_seen ON article_topics (topic, seen_at)",
    ),
];
