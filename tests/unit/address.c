/* Unit tests of lib/address, as TAP on stdout.  The cases are tables, so
 * that a new case is one line: input (and country) and the normalised
 * form, or NULL when the input must be refused. */
#include <stdio.h>
#include <string.h>

#include "address.h"
#include "tap.h"

#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L63 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const struct {
	const char *in, *want;
} email_cases[] = {
	{ "ola@example.no", "ola@example.no" },
	{ "Ola.Nordmann@Example.NO", "ola.nordmann@example.no" },
	{ "  kari@example.no\t", "kari@example.no" },
	{ "ola.nordmann@example.no", "ola.nordmann@example.no" },
	{ "o.l.a@example.no", "o.l.a@example.no" },
	{ "ola+nyhetsbrev@example.no", "ola+nyhetsbrev@example.no" },
	{ "ola+@example.no", "ola+@example.no" },
	{ "a@b.co", "a@b.co" },
	{ "x@mail.sub.example.co.uk", "x@mail.sub.example.co.uk" },
	{ "ola@my-shop.no", "ola@my-shop.no" },
	{ "ola@a--b.no", "ola@a--b.no" },
	{ "ola@xn--blbr-roa.no", "ola@xn--blbr-roa.no" },
	{ "ola@123.no", "ola@123.no" },
	{ "ola@example.n0", "ola@example.n0" },
	{ "o'brien@example.ie", "o'brien@example.ie" },
	{ "a!#$%&'*+-/=?^_`{|}~@x.no", "a!#$%&'*+-/=?^_`{|}~@x.no" },
	{ "_ola_@example.no", "_ola_@example.no" },
	{ "Åse@Blåbær.NO", "Åse@blåbær.no" },
	{ A64 "@example.no", A64 "@example.no" },
	{ "a@" L63 ".no", "a@" L63 ".no" },
	{ "", NULL },
	{ "   ", NULL },
	{ "ola", NULL },
	{ "ola@", NULL },
	{ "@example.no", NULL },
	{ "ola@example", NULL },
	{ "ola@example.", NULL },
	{ "ola@example.no.", NULL },
	{ "ola@.example.no", NULL },
	{ "ola@example..no", NULL },
	{ "ola@@example.no", NULL },
	{ "ola@kari@example.no", NULL },
	{ "ola nordmann@example.no", NULL },
	{ "ola@exam ple.no", NULL },
	{ "ola @example.no", NULL },
	{ "ola@ example.no", NULL },
	{ "ola\t@example.no", NULL },
	{ ".ola@example.no", NULL },
	{ "ola.@example.no", NULL },
	{ "ola..nordmann@example.no", NULL },
	{ "ola@-example.no", NULL },
	{ "ola@example-.no", NULL },
	{ "ola@example.-no", NULL },
	{ "ola@example.no-", NULL },
	{ "ola@1.2.3.4", NULL },
	{ "ola@example.123", NULL },
	{ "ola@[192.0.2.1]", NULL },
	{ "\"ola\"@example.no", NULL },
	{ "ola(kommentar)@example.no", NULL },
	{ "ola,kari@example.no", NULL },
	{ "ola;kari@example.no", NULL },
	{ "<ola@example.no>", NULL },
	{ "Ola <ola@example.no>", NULL },
	{ "ola@exa_mple.no", NULL },
	{ "ola@example.no\n", NULL },
	{ "ola\\@example.no", NULL },
	{ "ola@exam+ple.no", NULL },
	{ "a" A64 "@example.no", NULL },
	{ "a@b" L63 ".no", NULL },
	{ "\xff@example.no", NULL },
	{ "ola@exa\xc3mple.no", NULL },
	{ "ola@\xc0\xae.no", NULL },
	{ "\xed\xa0\x80@example.no", NULL },
};

static const struct {
	const char *in, *country, *want;
} mobile_cases[] = {
	/* Norway, every way of writing it. */
	{ "91234567", "NO", "+4791234567" },
	{ "912 34 567", "NO", "+4791234567" },
	{ "+47 912 34 567", "NO", "+4791234567" },
	{ "+4791234567", "NO", "+4791234567" },
	{ "0047 91234567", "NO", "+4791234567" },
	{ "004791234567", "NO", "+4791234567" },
	{ "+47-912-34-567", "NO", "+4791234567" },
	{ "912.34.567", "NO", "+4791234567" },
	{ "(+47)91234567", "NO", NULL },
	{ "+47 (912) 34567", "NO", "+4791234567" },
	{ "  +47 912 34 567  ", "NO", "+4791234567" },
	{ "\t91234567\t", "NO", "+4791234567" },
	{ "91234567", "no", "+4791234567" },
	{ "91234567", "No", "+4791234567" },
	{ "+4791234567", NULL, "+4791234567" },
	{ "+4791234567", "SE", "+4791234567" },
	{ "9123456", "NO", NULL },
	{ "912345678", "NO", NULL },
	{ "091234567", "NO", NULL },
	{ "+47 (0) 91234567", "NO", NULL },
	{ "+47 9123456", "NO", NULL },
	{ "+47 912345678", "NO", NULL },
	/* Sweden: trunk 0, 7 to 9 digits after it. */
	{ "070-123 45 67", "SE", "+46701234567" },
	{ "0701234567", "SE", "+46701234567" },
	{ "701234567", "SE", "+46701234567" },
	{ "+46 70 123 45 67", "SE", "+46701234567" },
	{ "+46 (0)70-123 45 67", "SE", "+46701234567" },
	{ "+46 070 123 45 67", "SE", "+46701234567" },
	{ "0046 70 123 45 67", "NO", "+46701234567" },
	{ "08 123 456", "SE", "+468123456" },
	{ "08 12345", "SE", NULL },
	{ "070 123 45 678", "SE", NULL },
	/* Denmark: 8 digits, no trunk. */
	{ "20 12 34 56", "DK", "+4520123456" },
	{ "+45 20 12 34 56", "dk", "+4520123456" },
	{ "0045 20123456", "NO", "+4520123456" },
	{ "2012345", "DK", NULL },
	{ "201234567", "DK", NULL },
	{ "020123456", "DK", NULL },
	/* Finland: trunk 0, 5 to 10 digits after it. */
	{ "040 1234567", "FI", "+358401234567" },
	{ "+358 40 1234567", "FI", "+358401234567" },
	{ "+358 (0)40 1234567", "NO", "+358401234567" },
	{ "00358 40 123 4567", "NO", "+358401234567" },
	{ "0 12345", "FI", "+35812345" },
	{ "1234", "FI", NULL },
	{ "040 123456789", "FI", NULL },
	/* Iceland: 7 digits. */
	{ "611 1234", "IS", "+3546111234" },
	{ "+354 611 1234", "NO", "+3546111234" },
	{ "611 123", "IS", NULL },
	{ "611 12345", "IS", NULL },
	/* Germany, Britain, the Netherlands: trunk 0. */
	{ "0151 12345678", "DE", "+4915112345678" },
	{ "+49 (0)151 1234 5678", "NO", "+4915112345678" },
	{ "0151 1234567890123", "DE", NULL },
	{ "012345", "DE", NULL },
	/* A second trunk 0 (found by tests/fuzz/address): "+49012367"
	 * would not read back as itself. */
	{ "+49 0012367", "NO", NULL },
	{ "+46 0 070 123 45 67", "SE", NULL },
	{ "+1 1 1555 123 456", "US", NULL },
	{ "07700 900123", "GB", "+447700900123" },
	{ "+44 (0)7700 900123", "gb", "+447700900123" },
	{ "07700 90012", "GB", NULL },
	{ "06 12345678", "NL", "+31612345678" },
	{ "+31 6 12345678", "NL", "+31612345678" },
	{ "06 1234567", "NL", NULL },
	/* The United States: 10 digits, trunk 1. */
	{ "(555) 123-4567", "US", "+15551234567" },
	{ "1-555-123-4567", "US", "+15551234567" },
	{ "+1 555 123 4567", "NO", "+15551234567" },
	{ "555 123 456", "US", NULL },
	/* Poland and the Baltics. */
	{ "512 345 678", "PL", "+48512345678" },
	{ "+48 512 345 678", "NO", "+48512345678" },
	{ "51234567", "PL", NULL },
	{ "5123 4567", "EE", "+37251234567" },
	{ "512 3456", "EE", "+3725123456" },
	{ "+372 5123 4567", "NO", "+37251234567" },
	{ "512 345", "EE", NULL },
	{ "6123 4567", "LT", "+37061234567" },
	{ "+370 612 34567", "NO", "+37061234567" },
	{ "2123 4567", "LV", "+37121234567" },
	{ "+371 2123 4567", "NO", "+37121234567" },
	{ "2123 456", "LV", NULL },
	/* Unknown calling codes: 8 to 15 digits in all. */
	{ "+33 6 12 34 56 78", "NO", "+33612345678" },
	{ "0033 612345678", "NO", "+33612345678" },
	{ "+86 138 0013 8000", "NO", "+8613800138000" },
	{ "+33 612 345", "NO", "+33612345" },
	{ "+33 612 34", "NO", NULL },
	{ "+33 6123 4567 8901 2", "NO", "+336123456789012" },
	{ "+33 6123 4567 8901 23", "NO", NULL },
	/* Junk. */
	{ "", "NO", NULL },
	{ "   ", "NO", NULL },
	{ "+", "NO", NULL },
	{ "00", "NO", NULL },
	{ "+0 123 45 678", "NO", NULL },
	{ "000 47 91234567", "NO", NULL },
	{ "+47 912 34 56a", "NO", NULL },
	{ "91234567x", "NO", NULL },
	{ "tlf 91234567", "NO", NULL },
	{ "91234567 ext 2", "NO", NULL },
	{ "912/34/567", "NO", NULL },
	{ "++4791234567", "NO", NULL },
	{ "47+91234567", "NO", NULL },
	{ "+47 91234567+", "NO", NULL },
	{ "+47 ((912)) 34567", "NO", NULL },
	{ "+47 (912 34567", "NO", NULL },
	{ "+47 912) 34567", "NO", NULL },
	{ "91\xc2\xa0" "234567", "NO", NULL },
	{ "9123456789012345678901234567890", "NO", NULL },
	{ "+4791234567890123456789", "NO", NULL },
	/* Unknown or missing countries for a national number. */
	{ "91234567", "XX", NULL },
	{ "91234567", "", NULL },
	{ "91234567", "N", NULL },
	{ "91234567", "NOR", NULL },
	{ "91234567", NULL, NULL },
	{ "0612345678", "FR", NULL },
};

static const struct {
	const char *code;
	int known;
} country_cases[] = {
	{ "NO", 1 }, { "no", 1 }, { "nO", 1 }, { "SE", 1 }, { "DK", 1 },
	{ "FI", 1 }, { "IS", 1 }, { "DE", 1 }, { "GB", 1 }, { "US", 1 },
	{ "NL", 1 }, { "PL", 1 }, { "EE", 1 }, { "LT", 1 }, { "LV", 1 },
	{ "XX", 0 }, { "FR", 0 }, { "UK", 0 }, { "", 0 }, { "N", 0 },
	{ "NOR", 0 }, { "N0", 0 }, { "47", 0 }, { "n\xcf", 0 },
};

static void
test_email(void)
{
	size_t i;
	char out[EMAIL_MAX], small[8], big[400];
	int r;

	for (i = 0; i < sizeof email_cases / sizeof email_cases[0]; i++) {
		strcpy(out, "unset");
		r = email_normalise(email_cases[i].in, out, sizeof out);
		if (email_cases[i].want == NULL)
			ok(r == -1, "email_normalise refuses \"%s\"",
			    email_cases[i].in);
		else
			ok(r == 0 && strcmp(out, email_cases[i].want) == 0,
			    "email_normalise \"%s\" = %s (got %s)",
			    email_cases[i].in, email_cases[i].want,
			    r == 0 ? out : "error");
	}
	ok(email_normalise(NULL, out, sizeof out) == -1,
	    "email_normalise refuses NULL");
	ok(email_normalise("a@b.no", small, sizeof small) == 0 &&
	    strcmp(small, "a@b.no") == 0, "email_normalise fills outsz-1");
	ok(email_normalise("abc@b.no", small, sizeof small) == -1,
	    "email_normalise refuses what outsz cannot hold");
	/* 64 + 1 + 60 + 1 + 60 + 1 + 59 + 8 = 254 characters, the longest
	 * address. */
	snprintf(big, sizeof big, "%s@%.*s.%.*s.%.*s.example", A64, 60, L63,
	    60, L63, 59, L63);
	ok(strlen(big) == 254 && email_normalise(big, out, sizeof out) == 0,
	    "email_normalise takes 254 characters");
	snprintf(big, sizeof big, "%s@%.*s.%.*s.%.*s.example", A64, 60, L63,
	    60, L63, 60, L63);
	ok(strlen(big) == 255 && email_normalise(big, out, sizeof out) == -1,
	    "email_normalise refuses 255 characters");
}

static void
test_mobile(void)
{
	size_t i;
	char out[E164_MAX], small[12];
	int r;

	for (i = 0; i < sizeof mobile_cases / sizeof mobile_cases[0]; i++) {
		strcpy(out, "unset");
		r = mobile_normalise(mobile_cases[i].in,
		    mobile_cases[i].country, out, sizeof out);
		if (mobile_cases[i].want == NULL)
			ok(r == -1, "mobile_normalise refuses \"%s\" (%s)",
			    mobile_cases[i].in, mobile_cases[i].country ?
			    mobile_cases[i].country : "no country");
		else
			ok(r == 0 && strcmp(out, mobile_cases[i].want) == 0,
			    "mobile_normalise \"%s\" (%s) = %s (got %s)",
			    mobile_cases[i].in, mobile_cases[i].country ?
			    mobile_cases[i].country : "no country",
			    mobile_cases[i].want, r == 0 ? out : "error");
	}
	ok(mobile_normalise(NULL, "NO", out, sizeof out) == -1,
	    "mobile_normalise refuses NULL");
	ok(mobile_normalise("91234567", "NO", small, sizeof small) == 0 &&
	    strcmp(small, "+4791234567") == 0,
	    "mobile_normalise fills outsz-1");
	ok(mobile_normalise("91234567", "NO", small, 11) == -1,
	    "mobile_normalise refuses what outsz cannot hold");
}

static void
test_country(void)
{
	size_t i;

	for (i = 0; i < sizeof country_cases / sizeof country_cases[0]; i++)
		ok(!country_known(country_cases[i].code) ==
		    !country_cases[i].known, "country_known \"%s\" is %d",
		    country_cases[i].code, country_cases[i].known);
	ok(!country_known(NULL), "country_known NULL is 0");
}

int
main(void)
{
	test_email();
	test_mobile();
	test_country();
	return done_testing();
}
