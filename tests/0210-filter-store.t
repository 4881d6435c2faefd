#!/bin/sh
# consent-filter with the store: --purpose (lists, repeated, --any; only
# granted passes), --missing and --include-denied, --withdrawn, inactive
# purposes, --channel and --contacted-within from the store, restricted
# and erased customers (never pass, -v or not), --from-store and --excel,
# --add-link (the configuration it needs, the link column, the tokens
# verified), -c and -v.  The store is built with consent-import; a
# restriction and an erasure are simulated in SQL (consent-erase does not
# exist yet).
. "${0%/*}/lib.sh"

TOOLS=${CONSENT_TEST_TOOLS:-$TOP/obj/tools}

# ---- helpers ----

# selects NAME "KEYS" ARGS...: consent-filter ARGS ids.csv writes the
# header and the records of KEYS in that order, and exits 0 (none: the
# header alone, exit 1).
selects() {
	_s_name=$1 _s_keys=$2
	shift 2
	_s_code=0
	[ -n "$_s_keys" ] || _s_code=1
	gives "$_s_name" "$_s_code" "$(echo id; for _s_k in $_s_keys; do
	    echo "$_s_k"; done)" consent-filter "$@" ids.csv
}

# cid KEY: the customer's number in the store.
cid() {
	sql "SELECT id FROM customers WHERE key = '$1'"
}

# tokens_as_TOKEN FILE: the file with every /c/TOKEN written /c/TOKEN.
tokens_as_TOKEN() {
	sed -E 's#/c/[A-Za-z0-9_-]{39}#/c/TOKEN#g' "$1"
}

# ---- the configuration and the store ----

mkdir etc etc/secrets
cat >etc/consent.conf <<'X'
[company]
lang = fi

; retired: its consents stay, it selects no one
[purpose.magazine]
active = no

[purpose.newsletter]
X
export CONSENT_CONFIG="$T/etc/consent.conf"

cat >reg.csv <<'X'
id,name,email,mobile,lang,last_contact,E,P,M
k1,Ola Nordmann,ola@example.no,912 34 567,nb,2026-06-01,ja,ja,ja
k2,Kari Holm,kari@example.no,,sv,2020-01-01,ja,nei,
k3,Per Berg,,+46 70 123 45 67,,2025-11-30,nei,,
k4,Åse Lie,,,da,2023-05-05,,,
k5,Nils Dahl,nils@example.no,41234567,en,2025-12-01,ja,ja,
k7,Rita Restricted,rita@example.no,98765431,nb,2026-01-01,ja,ja,
k8,Erik Erased,Erased@Example.NO,987 65 432,nb,2026-01-01,ja,ja,
k9,Siri Solberg,,,,,,,
X
check "the store: an import with consent columns" env CONSENT_NOW=2026-11-01T10:00:00Z \
	consent-import -q -c emarketing=E,partners=P,magazine=M reg.csv
# k5 said yes, then no: a withdrawal.
printf 'id,E\nk5,nei\n' >withdraw.csv
check "the store: a later no for k5" env CONSENT_NOW=2026-11-15T10:00:00Z \
	consent-import -q -c emarketing=E withdraw.csv
printf 'id\nk1\nk2\n' >set.csv
check "the store: --set profiling=granted for k1 and k2" \
	consent-import -q --set profiling=granted set.csv
sql "SELECT c.key, p.name, k.state FROM consents k
    JOIN customers c ON c.id = k.customer JOIN purposes p ON p.id = k.purpose
    WHERE p.name <> 'service' ORDER BY c.key, p.name" >sql.out
same_text "the store holds the consent states the tests rely on" \
"k1|emarketing|granted
k1|magazine|granted
k1|partners|granted
k1|profiling|granted
k2|emarketing|granted
k2|partners|denied
k2|profiling|granted
k3|emarketing|denied
k5|emarketing|withdrawn
k5|partners|granted
k7|emarketing|granted
k7|partners|granted
k8|emarketing|granted
k8|partners|granted" sql.out

# k7 restricted (a bookkeeping hold), as consent-erase would leave it.
sql "UPDATE customers SET status = 'restricted' WHERE key = 'k7'"
sql "SELECT status FROM customers WHERE key = 'k7'" >sql.out
same_text "k7 is restricted in the store" restricted sql.out

# k8 erased, as consent-erase would leave it: no customer row, no
# consents, tombstones of its key, e-mail and mobile under a key kept in a
# file that the settings name.
python3 - "$CONSENT_DB" "$T/tombstone.key" k8 erased@example.no +4798765432 <<'X'
import hashlib, hmac, os, sqlite3, sys
db, keyfile, key, email, mobile = sys.argv[1:]
k = os.urandom(32)
with open(keyfile, "wb") as f:
    f.write(k)
os.chmod(keyfile, 0o600)
con = sqlite3.connect(db)
cid = con.execute("SELECT id FROM customers WHERE key = ?", (key,)).fetchone()[0]
con.execute("DELETE FROM consents WHERE customer = ?", (cid,))
con.execute("DELETE FROM requests WHERE customer = ?", (cid,))
con.execute("DELETE FROM customers WHERE id = ?", (cid,))
con.execute("INSERT OR REPLACE INTO settings(key, value)"
            " VALUES ('tombstone_key_file', ?)", (keyfile,))
for kind, v in (("key", key), ("email", email), ("mobile", mobile)):
    h = hmac.new(k, kind.encode() + b"\0" + v.encode(), hashlib.sha256).digest()
    con.execute("INSERT INTO tombstones(kind, hash, at) VALUES (?, ?, ?)",
                (kind, h, "2026-11-20T10:00:00Z"))
con.commit()
X
sql "SELECT (SELECT count(*) FROM customers WHERE key = 'k8'),
    (SELECT count(*) FROM consents WHERE customer NOT IN (SELECT id FROM customers)),
    (SELECT count(*) FROM tombstones)" >sql.out
same_text "k8 is erased: no customer row, no orphan consents, three tombstones" "0|0|3" sql.out

# The stream: the keys alone; k6 is not in the store.
printf 'id\nk1\nk2\nk3\nk4\nk5\nk6\nk7\nk8\nk9\n' >ids.csv
sql .dump >before.dump

# ---- no selector: restricted and erased customers are left out ----

selects "no selector, a store: all but restricted k7 and erased k8" \
	"k1 k2 k3 k4 k5 k6 k9"

# ---- --purpose ----

selects "--purpose emarketing: granted only (not denied k3, withdrawn k5, unknown k4 k9, not stored k6)" \
	"k1 k2" --purpose emarketing
selects "-p emarketing,partners: every purpose of the list" "k1" -p emarketing,partners
selects "-p emarketing -p profiling: repeated lists add up" "k1 k2" \
	-p emarketing -p profiling
selects "-p partners -p profiling: both are needed" "k1" -p partners -p profiling
selects "--any -p partners,profiling: one is enough" "k1 k2 k5" --any -p partners,profiling
selects "--any -p partners -p profiling: one of the repeated ones" "k1 k2 k5" \
	--any -p partners -p profiling
selects "-p newsletter: a purpose nobody granted selects no one" "" -p newsletter
selects "-v -p emarketing: the others, still without k7 and k8" \
	"k3 k4 k5 k6 k9" -v -p emarketing

fails "an unknown purpose: exit 2, named" \
	"consent-filter: --purpose: unknown purpose 'marketing'" \
	consent-filter -p marketing ids.csv
fails "an unknown purpose in a list: exit 2, named" \
	"consent-filter: --purpose: unknown purpose 'bogus'" \
	consent-filter -p emarketing,bogus ids.csv

# ---- an inactive purpose ----

selects "-p magazine (inactive; k1 granted it): no one" "" -p magazine
err_is "-p magazine: the warning" \
	"consent-filter: --purpose: purpose 'magazine' is inactive: it selects no one"
selects "-v -p magazine: everyone but k7 and k8" "k1 k2 k3 k4 k5 k6 k9" -v -p magazine
selects "--any -p magazine,partners: the other purpose still selects" "k1 k5" \
	--any -p magazine,partners
selects "--missing magazine: no one" "" --missing magazine
err_is "--missing magazine: the warning names --missing" \
	"consent-filter: --missing: purpose 'magazine' is inactive: it selects no one"

# ---- --missing, --include-denied, --withdrawn ----

selects "--missing emarketing: unknown, and keys the store does not hold" \
	"k4 k6 k9" --missing emarketing
check_same "--missing emarketing: nothing on stderr" /dev/null "$T/err"
selects "--missing emarketing --include-denied: denied k3 too, never withdrawn k5" \
	"k3 k4 k6 k9" --missing emarketing --include-denied
selects "--missing partners --include-denied: denied k2 too" "k2 k3 k4 k6 k9" \
	--missing partners --include-denied
sql "SELECT k.state FROM consents k JOIN customers c ON c.id = k.customer
    JOIN purposes p ON p.id = k.purpose
    WHERE c.key = 'k5' AND p.name = 'emarketing'" >sql.out
same_text "k5's emarketing consent is withdrawn in the store" withdrawn sql.out
selects "--withdrawn emarketing: k5" "k5" --withdrawn emarketing
selects "--withdrawn partners: no one withdrew it" "" --withdrawn partners
selects "-v --withdrawn emarketing: all but k5 (and k7, k8)" "k1 k2 k3 k4 k6 k9" \
	-v --withdrawn emarketing
printf 'id,name\n,Nobody\nk4,Åse\n' >emptykey.csv
gives "--missing: a record with an empty key is no one to ask" 0 "id,name
k4,Åse" consent-filter --missing emarketing emptykey.csv

# ---- --channel and --contacted-within from the store ----

selects "--channel email, a stream without the column: the store's e-mail" \
	"k1 k2 k5" --channel email
selects "--channel sms: the store's mobile" "k1 k3 k5" --channel sms
selects "--channel any: either" "k1 k2 k3 k5" --channel any
selects "--channel sms -p emarketing" "k1" --channel sms -p emarketing
printf 'id,email\nk3,\nk4,bad\nk6,new@example.no\nk2,\n' >mixed.csv
gives "--channel any, a stream with e-mail only: k3 by its stored mobile, k6 by the stream's e-mail; k2's empty cell counts, not its stored e-mail" 0 \
"id,email
k3,
k6,new@example.no" consent-filter --channel any mixed.csv
selects "--contacted-within 1y: from 2025-12-01 (k5 on the day; k3 a day before is out)" \
	"k1 k5" --contacted-within 1y
selects "--contacted-within 5y: no date (k9) or not stored (k6) is not recent" \
	"k1 k3 k4 k5" --contacted-within 5y
selects "--contacted-within 5y -p emarketing" "k1" --contacted-within 5y -p emarketing
printf 'id,last_contact\nk2,2026-11-01\nk1,2019-01-01\n' >lc.csv
gives "--contacted-within: the stream's column wins over the store's date" 0 \
"id,last_contact
k2,2026-11-01" consent-filter --contacted-within 1y lc.csv

# ---- -c with store selectors ----

gives "-c -p emarketing: the count" 0 2 consent-filter -c -p emarketing ids.csv
gives "-c -v -p emarketing: restricted and erased not counted" 0 5 \
	consent-filter -c -v -p emarketing ids.csv
gives "-c --withdrawn partners: none selected, 0, exit 1" 1 0 \
	consent-filter -c --withdrawn partners ids.csv

# ---- restricted customers never pass ----

printf 'id,email\nk7,rita@example.no\n' >k7.csv
for opts in "" "-p emarketing" "-v -p emarketing" "-v --withdrawn emarketing" \
    "--channel email" "-v --missing newsletter"; do
	gives "restricted k7 never passes: ${opts:-no selector}" 1 "id,email" \
		consent-filter $opts k7.csv
done

# ---- erased customers never pass ----

cat >erased.csv <<'X'
id,email,mobile
k8,,
n1,ERASED@example.no,
n2,,+47 987 65 432
n3,,98765432
n4,other@example.no,
X
for opts in "" "-v -p emarketing" "--missing emarketing" "-v --withdrawn emarketing"; do
	gives "erased k8 never passes, by its key, nor a new key with its e-mail (any case) or its mobile (any form): ${opts:-no selector}" \
	    0 "id,email,mobile
n4,other@example.no," consent-filter $opts erased.csv
done
printf 'id,email,mobile\nk1,erased@example.no,\n' >held.csv
gives "a key the store holds is judged by that customer, not by the tombstones" 0 \
"id,email,mobile
k1,erased@example.no," consent-filter -p emarketing held.csv
# A record without a key is still matched against the tombstones by its
# e-mail and mobile: "Erased and restricted customers never pass".
printf 'id,email,mobile\n,erased@example.no,\n,,98765432\n,x@example.no,\n' >nokey.csv
gives "an empty key with an erased e-mail or mobile is still left out" 0 \
"id,email,mobile
,x@example.no," consent-filter nokey.csv

# ---- --from-store ----

gives "--from-store: every customer but k7, k8, in import order; E.164 mobiles" 0 \
"id,name,email,mobile,lang,last_contact
k1,Ola Nordmann,ola@example.no,+4791234567,nb,2026-06-01
k2,Kari Holm,kari@example.no,,sv,2020-01-01
k3,Per Berg,,+46701234567,,2025-11-30
k4,Åse Lie,,,da,2023-05-05
k5,Nils Dahl,nils@example.no,+4741234567,en,2025-12-01
k9,Siri Solberg,,,," consent-filter --from-store
check_same "--from-store: nothing on stderr" /dev/null "$T/err"
gives "--from-store --missing emarketing --contacted-within 5y: whom to ask" 0 \
"id,name,email,mobile,lang,last_contact
k4,Åse Lie,,,da,2023-05-05" \
	consent-filter --from-store --missing emarketing --contacted-within 5y
gives "--from-store --missing emarketing --include-denied --contacted-within 5y: k3 too" 0 \
"id,name,email,mobile,lang,last_contact
k3,Per Berg,,+46701234567,,2025-11-30
k4,Åse Lie,,,da,2023-05-05" \
	consent-filter --from-store --missing emarketing --include-denied --contacted-within 5y
gives "--from-store -c -p partners" 0 2 consent-filter --from-store -c -p partners
fails "--from-store with a file: exit 2" \
	"consent-filter: --from-store reads no input files" \
	consent-filter --from-store ids.csv
nostore="consent-filter: none.db: no store (import customers first with consent-import, or give --db)"
for opts in "--from-store" "-p emarketing ids.csv" "--missing emarketing ids.csv" \
    "--withdrawn emarketing ids.csv"; do
	fails "$opts without a store: exit 2, the file named" "$nostore" \
		consent-filter --db none.db $opts
done
check "consent-filter never creates the store" test ! -e none.db

printf 'id,name,email,mobile\nx1,"=SUM(1,2)",a@example.no,+4791234567\nx2,@home,,\nx3,-minus,b@example.no,\nx4,"Say ""hi""",,\n' >xl.csv
check "a store for --excel" consent-import -q --db xl.db xl.csv
gives "--from-store without --excel: fields as stored, quoted where needed" 0 \
'id,name,email,mobile,lang,last_contact
x1,"=SUM(1,2)",a@example.no,+4791234567,,
x2,@home,,,,
x3,-minus,b@example.no,,,
x4,"Say ""hi""",,,,' consent-filter --db xl.db --from-store
gives "--from-store --excel: fields starting with = + - @ get a ' (inside the quotes)" 0 \
"id,name,email,mobile,lang,last_contact
x1,\"'=SUM(1,2)\",a@example.no,'+4791234567,,
x2,'@home,,,,
x3,'-minus,b@example.no,,,
x4,\"Say \"\"hi\"\"\",,,," consent-filter --db xl.db --from-store --excel
printf 'id,name\nk1,=cmd\n' >formula.csv
gives "--excel on a file: records pass as read" 0 "id,name
k1,=cmd" consent-filter --excel formula.csv

sql .dump >after.dump
check_same "consent-filter changed nothing in the store" before.dump after.dump

# ---- --add-link ----

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >etc/secrets/landing.key
chmod 600 etc/secrets/landing.key
# A decoy where a path taken relative to the working folder would look.
mkdir secrets
echo decoy >secrets/landing.key
chmod 600 secrets/landing.key
cp etc/consent.conf etc/link.conf
printf '[landing]\nurl = https://samtykke.example.no//\nsecret_file = secrets/landing.key\n' \
	>>etc/link.conf
key=etc/secrets/landing.key
verify() {
	"$TOOLS/token-verify" "$key"
}

printf 'too short\n' >etc/secrets/short.key
chmod 600 etc/secrets/short.key
sed 's#^secret_file = secrets/landing.key$#secret_file = secrets/short.key#' \
	etc/link.conf >etc/short.conf
fails "--add-link: a secret shorter than 32 bytes stops it" \
    "consent-filter: --add-link: [landing] secret_file: the secret is 9 bytes, and must be 32 or more (head -c 32 /dev/urandom | base64 makes one)" \
    consent-filter --config etc/short.conf --add-link lenke ids.csv
check "--add-link: exit 0" consent-filter --config etc/link.conf --add-link lenke ids.csv
cp "$T/out" links.out
tokens_as_TOKEN links.out >links.shape
same_text "--add-link: the column in the header, URL/c/TOKEN on every record, empty for k6 (not stored)" \
"id,lenke
k1,https://samtykke.example.no/c/TOKEN
k2,https://samtykke.example.no/c/TOKEN
k3,https://samtykke.example.no/c/TOKEN
k4,https://samtykke.example.no/c/TOKEN
k5,https://samtykke.example.no/c/TOKEN
k6,
k9,https://samtykke.example.no/c/TOKEN" links.shape
sed 1d links.out | cut -d, -f2 | grep . >links
gives "--add-link: every token verifies (the secret relative to the config's folder): kind p, the store's id, now + 1y, the active purposes (not magazine), the store's language else [company] lang" 0 \
"p $(cid k1) 2027-12-01T12:00:00Z 47 nb
p $(cid k2) 2027-12-01T12:00:00Z 47 sv
p $(cid k3) 2027-12-01T12:00:00Z 47 fi
p $(cid k4) 2027-12-01T12:00:00Z 47 da
p $(cid k5) 2027-12-01T12:00:00Z 47 en
p $(cid k9) 2027-12-01T12:00:00Z 47 fi" verify <links
sed 's#.*/##' links | sort -u | wc -l | tr -d ' ' >ntok
same_text "--add-link: a different token for every customer" 6 ntok
# The first token with its tenth character from the end changed.
head -1 links | awk '{ n = length($0); c = substr($0, n - 9, 1);
	print substr($0, 1, n - 10) (c == "A" ? "B" : "A") substr($0, n - 8) }' >tampered
gives "a token changed in one character fails verification" 1 bad verify <tampered
gives "a token does not verify under another secret" 1 "bad
bad
bad
bad
bad
bad" "$TOOLS/token-verify" secrets/landing.key <links

printf 'id,lang\nk3,SV\nk1,da\n' >lang.csv
check "--add-link, a stream with a lang column" \
	consent-filter --config etc/link.conf --add-link L lang.csv
sed 1d "$T/out" | cut -d, -f3 >links2
gives "--add-link: the record's lang where the store has none; the store's wins" 0 \
"p $(cid k3) 2027-12-01T12:00:00Z 47 sv
p $(cid k1) 2027-12-01T12:00:00Z 47 nb" verify <links2

printf 'id;name\r\nk1;Ola\r\nk6;Stranger\r\nk3;Per' >semi.csv
check "--add-link on ';'-CSV with CRLF: exit 0" \
	consent-filter --config etc/link.conf --add-link 'my;link' semi.csv
tokens_as_TOKEN "$T/out" >semi.shape
printf 'id;name;"my;link"\r\nk1;Ola;https://samtykke.example.no/c/TOKEN\r\nk6;Stranger;\r\nk3;Per;https://samtykke.example.no/c/TOKEN\r\n' >semi.want
check_same "--add-link on ';'-CSV: ';' and CRLF kept, the name quoted, the last line gets the header's CRLF" \
	semi.want semi.shape
tr ';' '\n' <"$T/out" | grep '^https' | tr -d '\r' >links3
gives "--add-link on ';'-CSV: the tokens verify" 0 \
"p $(cid k1) 2027-12-01T12:00:00Z 47 nb
p $(cid k3) 2027-12-01T12:00:00Z 47 fi" verify <links3

check "--add-link --from-store -p emarketing: exit 0" \
	consent-filter --config etc/link.conf --from-store -p emarketing --add-link link
tokens_as_TOKEN "$T/out" >fs.shape
same_text "--add-link --from-store: the column after the store's" \
"id,name,email,mobile,lang,last_contact,link
k1,Ola Nordmann,ola@example.no,+4791234567,nb,2026-06-01,https://samtykke.example.no/c/TOKEN
k2,Kari Holm,kari@example.no,,sv,2020-01-01,https://samtykke.example.no/c/TOKEN" fs.shape
gives "-c --add-link: only the count" 0 7 \
	consent-filter -c --config etc/link.conf --add-link L ids.csv

cp etc/link.conf etc/expire.conf
echo 'link_expire = 30d' >>etc/expire.conf
consent-filter --config etc/expire.conf --add-link L -p partners ids.csv 2>&1 |
	sed 1d | cut -d, -f2 >links4
gives "[landing] link_expire = 30d: the tokens expire 30 days after CONSENT_NOW" 0 \
"p $(cid k1) 2026-12-31T12:00:00Z 47 nb
p $(cid k5) 2026-12-31T12:00:00Z 47 en" verify <links4

grep -v '^url' etc/link.conf >etc/nourl.conf
fails "--add-link without [landing] url: exit 2, the key named" \
	"consent-filter: --add-link: no [landing] url in the configuration" \
	consent-filter --config etc/nourl.conf --add-link L ids.csv
grep -v '^secret_file' etc/link.conf >etc/nosecret.conf
fails "--add-link without [landing] secret_file: exit 2, the key named" \
	"consent-filter: --add-link: etc/nosecret.conf: [landing] secret_file is not set" \
	consent-filter --config etc/nosecret.conf --add-link L ids.csv
chmod 644 "$key"
fails "--add-link, a secret file of mode 0644: exit 2, said so" \
	"consent-filter: --add-link: etc/link.conf:11: etc/secrets/landing.key: open to group or others (mode 0644); chmod 600 it" \
	consent-filter --config etc/link.conf --add-link L ids.csv
chmod 600 "$key"
fails "--add-link without a store: exit 2" "$nostore" \
	consent-filter --config etc/link.conf --add-link L --db none.db ids.csv

done_testing
