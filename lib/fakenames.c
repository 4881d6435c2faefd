/* fakenames: the names the fake rule of lib/mask picks from, common
 * Norwegian, Swedish, Danish and Finnish first and last names.  The lists
 * are part of the output's contract: changing them changes every fake
 * name made before, so add at the end only in a new list. */
#include <stddef.h>

#include "mask.h"

const char *const fake_first_names[] = {
	"Anne", "Astrid", "Bjørn", "Emil", "Eva", "Frida", "Geir", "Hanna",
	"Helmi", "Håkon", "Ida", "Ingrid", "Jens", "Johan", "Juha", "Kari",
	"Karin", "Kirsten", "Knut", "Lars", "Leena", "Linnea", "Mads", "Magnus",
	"Maja", "Marit", "Matti", "Mette", "Mikael", "Nils", "Nora", "Ole",
	"Pekka", "Per", "Ragnhild", "Rasmus", "Sanna", "Sigrid", "Sofie",
	"Solveig", "Sven", "Søren", "Tiina", "Tor", "Tove", "Ulla", "Åsa",
	"Øystein",
};

const char *const fake_last_names[] = {
	"Andersen", "Andersson", "Bakke", "Berg", "Dahl", "Eriksson",
	"Halvorsen", "Hansen", "Haugen", "Heikkinen", "Holm", "Jensen",
	"Johansson", "Karlsson", "Korhonen", "Kristiansen", "Larsen",
	"Lindberg", "Lund", "Mäkinen", "Madsen", "Moen", "Nielsen", "Nilsen",
	"Nilsson", "Nyström", "Olsen", "Persson", "Poulsen", "Rasmussen",
	"Solberg", "Strand", "Svensson", "Sørensen", "Virtanen", "Vik",
	"Wikström", "Ødegård", "Åberg", "Lehtonen", "Bråten", "Sandvik",
	"Christensen", "Lie", "Eide", "Laine", "Sjöberg", "Thomsen",
};

const size_t fake_nfirst = sizeof fake_first_names /
    sizeof fake_first_names[0];
const size_t fake_nlast = sizeof fake_last_names /
    sizeof fake_last_names[0];
