/* strings: the pages' own words in the five languages the toolkit
 * speaks.  The company's texts and the purposes' titles come from the
 * configuration; these are only what frames them. */
#include <string.h>

#include "config.h"
#include "landing.h"

static const struct ui uis[] = {
	{
		.lang = "nb",
		.title = "samtykke",
		.choose = "Kryss av for det du sier ja til:",
		.button = "Lagre svaret",
		.earlier = "Du har svart før. Her ser du svaret ditt, og du"
		    " kan endre det.",
		.thanks = "Takk for svaret",
		.yes = "Ja",
		.no = "Nei",
		.until = "Du kan endre svaret gjennom den samme lenken fram"
		    " til {date}.",
		.again = "Endre svaret",
		.policy = "Personvernerklæring",
		.bad_title = "Ugyldig lenke",
		.bad_text = "Lenken er ikke gyldig. Sjekk at hele lenken ble"
		    " med, eller ta kontakt med oss.",
		.expired_title = "Lenken er utløpt",
		.expired_text = "Denne lenken kan ikke brukes lenger. Ta"
		    " kontakt med oss hvis du vil svare.",
		.failed = "Noe gikk galt, og svaret ble ikke lagret. Prøv"
		    " igjen om litt.",
		.datefmt = 'd',
	},
	{
		.lang = "sv",
		.title = "samtycke",
		.choose = "Kryssa i det du säger ja till:",
		.button = "Spara svaret",
		.earlier = "Du har svarat tidigare. Här ser du ditt svar, och"
		    " du kan ändra det.",
		.thanks = "Tack för ditt svar",
		.yes = "Ja",
		.no = "Nej",
		.until = "Du kan ändra ditt svar via samma länk fram till"
		    " {date}.",
		.again = "Ändra svaret",
		.policy = "Integritetspolicy",
		.bad_title = "Ogiltig länk",
		.bad_text = "Länken är inte giltig. Kontrollera att hela"
		    " länken kom med, eller kontakta oss.",
		.expired_title = "Länken har gått ut",
		.expired_text = "Den här länken kan inte användas längre."
		    " Kontakta oss om du vill svara.",
		.failed = "Något gick fel, och svaret sparades inte. Försök"
		    " igen om en stund.",
		.datefmt = 'i',
	},
	{
		.lang = "da",
		.title = "samtykke",
		.choose = "Sæt kryds ved det, du siger ja til:",
		.button = "Gem svaret",
		.earlier = "Du har svaret før. Her ser du dit svar, og du kan"
		    " ændre det.",
		.thanks = "Tak for dit svar",
		.yes = "Ja",
		.no = "Nej",
		.until = "Du kan ændre dit svar via det samme link indtil"
		    " {date}.",
		.again = "Ændr svaret",
		.policy = "Privatlivspolitik",
		.bad_title = "Ugyldigt link",
		.bad_text = "Linket er ikke gyldigt. Kontrollér, at hele"
		    " linket kom med, eller kontakt os.",
		.expired_title = "Linket er udløbet",
		.expired_text = "Dette link kan ikke bruges længere. Kontakt"
		    " os, hvis du vil svare.",
		.failed = "Noget gik galt, og svaret blev ikke gemt. Prøv"
		    " igen om lidt.",
		.datefmt = 'd',
	},
	{
		.lang = "fi",
		.title = "suostumus",
		.choose = "Valitse, mihin annat suostumuksesi:",
		.button = "Tallenna vastaus",
		.earlier = "Olet vastannut aiemmin. Näet vastauksesi tässä,"
		    " ja voit muuttaa sitä.",
		.thanks = "Kiitos vastauksestasi",
		.yes = "Kyllä",
		.no = "Ei",
		.until = "Voit muuttaa vastaustasi samasta linkistä {date}"
		    " asti.",
		.again = "Muuta vastausta",
		.policy = "Tietosuojaseloste",
		.bad_title = "Virheellinen linkki",
		.bad_text = "Linkki ei ole kelvollinen. Tarkista, että koko"
		    " linkki tuli mukaan, tai ota meihin yhteyttä.",
		.expired_title = "Linkki on vanhentunut",
		.expired_text = "Tätä linkkiä ei voi enää käyttää. Ota meihin"
		    " yhteyttä, jos haluat vastata.",
		.failed = "Jokin meni vikaan, eikä vastausta tallennettu."
		    " Yritä hetken kuluttua uudelleen.",
		.datefmt = 'd',
	},
	{
		.lang = "en",
		.title = "consent",
		.choose = "Tick what you agree to:",
		.button = "Save my answer",
		.earlier = "You have answered before. Your answer is shown"
		    " here, and you can change it.",
		.thanks = "Thank you for your answer",
		.yes = "Yes",
		.no = "No",
		.until = "You can change your answer through the same link"
		    " until {date}.",
		.again = "Change my answer",
		.policy = "Privacy policy",
		.bad_title = "Invalid link",
		.bad_text = "This link is not valid. Check that the whole link"
		    " was copied, or contact us.",
		.expired_title = "This link has expired",
		.expired_text = "This link can no longer be used. Contact us if"
		    " you want to answer.",
		.failed = "Something went wrong, and your answer was not saved."
		    " Please try again in a moment.",
		.datefmt = 'i',
	},
};

static const struct ui *
ui_find(const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof uis / sizeof uis[0]; i++)
		if (lang && strcmp(uis[i].lang, lang) == 0)
			return &uis[i];
	return NULL;
}

const struct ui *
ui_pick(const struct config *cfg, const char *lang)
{
	const struct ui *ui;

	if ((ui = ui_find(lang)) || (ui = ui_find(config_company_lang(cfg))))
		return ui;
	return ui_find("en");
}

/* Day and month without leading zeros, as the Nordic languages but
 * Swedish write them; Swedish and English get the ISO date, which
 * neither misreads. */
void
ui_date(const struct ui *ui, int64_t t, char out[TIME_DATE_LEN])
{
	char iso[TIME_DATE_LEN];
	int d, m;

	time_format_date(t, iso);
	if (ui->datefmt != 'd') {
		memcpy(out, iso, TIME_DATE_LEN);
		return;
	}
	d = (iso[8] - '0') * 10 + (iso[9] - '0');
	m = (iso[5] - '0') * 10 + (iso[6] - '0');
	/* d.m.yyyy is at most 10 characters: it fits the ISO date's room */
	if (d >= 10)
		*out++ = (char)('0' + d / 10);
	*out++ = (char)('0' + d % 10);
	*out++ = '.';
	if (m >= 10)
		*out++ = (char)('0' + m / 10);
	*out++ = (char)('0' + m % 10);
	*out++ = '.';
	memcpy(out, iso, 4);
	out[4] = '\0';
}
