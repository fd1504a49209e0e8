/* html.c — see html.h: the page skeleton with its inline style sheet, escaping, tables, file
 * contents, plots as sanitised inline SVG and the fault timeline. The SVG sanitiser is a
 * small tag scanner, not an XML parser: it understands what gnuplot writes (elements,
 * quoted attributes, escaped text, comments, a declaration) and refuses anything else, which
 * then shows as a note instead of a plot. Cost: linear in the SVG's size. */
#include "reports/html.h"

#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTML_NAME_MAX 64           /* bytes of an element or attribute name we accept */
#define HTML_TIMELINE_WIDTH 1000   /* px of the fault timeline */
#define HTML_TIMELINE_ROW 22       /* px per fault in the timeline */
#define HTML_TIMELINE_LEFT 110     /* px of the label column */

static const char html_style[] =
    "body{font-family:sans-serif;margin:0;background:#fafafa;color:#222}"
    "main{max-width:1100px;margin:0 auto;padding:1em 2em;background:#fff}"
    "h1{font-size:1.6em;border-bottom:2px solid #447;padding-bottom:.3em}"
    "h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}"
    "th{background:#eef}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.pass td{background:#eaf7ea}tr.fail td{background:#fbe3e3}tr.skip td{color:#777}"
    "tr.significant td{background:#fff4d0}"
    "pre{background:#f4f4f4;border:1px solid #ddd;padding:.6em;overflow:auto;font-size:.8em}"
    ".plots{display:grid;grid-template-columns:1fr 1fr;gap:.8em}"
    "figure{margin:0}figure svg{width:100%;height:auto;border:1px solid #ddd}"
    "figcaption{font-size:.85em;color:#555}.note{color:#a40;font-style:italic}"
    ".verdict-pass{color:#161;font-weight:bold}.verdict-fail{color:#b11;font-weight:bold}"
    "nav a{margin-right:1em}footer{font-size:.8em;color:#777;margin-top:2em}"
    "div.wide{overflow-x:auto}";

void rs_html_escaped_bytes(rs__text *out, const char *bytes, size_t length) {
    assert(out != NULL);
    assert(bytes != NULL || length == 0);
    size_t plain = 0; /* start of the run of bytes copied as they are */
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        const char *entity = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;"
                             : c == '"' ? "&quot;" : c == '\'' ? "&#39;"
                             : (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? "?" : NULL;
        if (entity != NULL) {
            rs__text_append(out, bytes + plain, i - plain);
            rs__text_puts(out, entity);
            plain = i + 1;
        }
    }
    rs__text_append(out, bytes + plain, length - plain);
}

void rs_html_escaped(rs__text *out, const char *text) {
    assert(out != NULL && text != NULL);
    rs_html_escaped_bytes(out, text, strlen(text));
}

void rs_html_page_begin(rs__text *out, const char *title, const char *heading) {
    assert(out != NULL);
    assert(title != NULL && heading != NULL);
    rs__text_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                       "<meta name=\"viewport\" content=\"width=device-width\"/>\n<title>");
    rs_html_escaped(out, title);
    rs__text_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>",
                    html_style);
    rs_html_escaped(out, heading);
    rs__text_puts(out, "</h1>\n");
}

void rs_html_page_end(rs__text *out) {
    assert(out != NULL);
    assert(out->length > 0 || out->failed);
    rs__text_puts(out, "<footer>Written by replsim. This page is self-contained: no script, "
                       "no network; the plots are inline SVG (PNG beside them in plots/)."
                       "</footer>\n</main>\n</body>\n</html>\n");
}

static bool html_is_token(const char *text, const char *allowed) {
    for (const char *c = text; *c != '\0'; c++) {
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
            strchr(allowed, *c) == NULL) {
            return false;
        }
    }
    return text[0] != '\0';
}

void rs_html_page_section(rs__text *out, const char *id, const char *heading) {
    assert(out != NULL && heading != NULL);
    assert(id != NULL && html_is_token(id, "-"));
    rs__text_printf(out, "<section id=\"%s\">\n<h2>", id);
    rs_html_escaped(out, heading);
    rs__text_puts(out, "</h2>\n");
}

void rs_html_page_section_end(rs__text *out) {
    assert(out != NULL);
    assert(out->length > 0 || out->failed);
    rs__text_puts(out, "</section>\n");
}

void rs_html_page_paragraph(rs__text *out, const char *cls, const char *text) {
    assert(out != NULL && text != NULL);
    assert(cls == NULL || html_is_token(cls, "-"));
    if (cls != NULL) {
        rs__text_printf(out, "<p class=\"%s\">", cls);
    } else {
        rs__text_puts(out, "<p>");
    }
    rs_html_escaped(out, text);
    rs__text_puts(out, "</p>\n");
}

void rs_html_page_table_begin(rs__text *out, const char *id, const char *const *headers,
                              size_t count) {
    assert(out != NULL && headers != NULL);
    assert(id == NULL || html_is_token(id, "-"));
    if (id != NULL) {
        rs__text_printf(out, "<table id=\"%s\">\n<thead><tr>", id);
    } else {
        rs__text_puts(out, "<table>\n<thead><tr>");
    }
    for (size_t i = 0; i < count; i++) {
        rs__text_puts(out, "<th>");
        rs_html_escaped(out, headers[i]);
        rs__text_puts(out, "</th>");
    }
    rs__text_puts(out, "</tr></thead>\n<tbody>\n");
}

/* A cell that reads as a number (digits, sign, point, exponent, "±", '*', spaces) is
 * right-aligned. */
static bool html_numeric(const char *cell) {
    bool digit = false;
    for (const char *c = cell; *c != '\0'; c++) {
        digit |= isdigit((unsigned char)*c) != 0;
        if (!isdigit((unsigned char)*c) && strchr("+-.eE *", *c) == NULL &&
            strncmp(c, "\xc2\xb1", 2) != 0 && (unsigned char)*c != 0xb1) {
            return false;
        }
    }
    return digit;
}

void rs_html_page_table_row(rs__text *out, const char *row_class, const char *const *cells,
                            size_t count) {
    assert(out != NULL && cells != NULL);
    assert(row_class == NULL || html_is_token(row_class, "-"));
    if (row_class != NULL) {
        rs__text_printf(out, "<tr class=\"%s\">", row_class);
    } else {
        rs__text_puts(out, "<tr>");
    }
    for (size_t i = 0; i < count; i++) {
        const char *cell = cells[i] != NULL ? cells[i] : "";
        rs__text_puts(out, html_numeric(cell) ? "<td class=\"num\">" : "<td>");
        rs_html_escaped(out, cell);
        rs__text_puts(out, "</td>");
    }
    rs__text_puts(out, "</tr>\n");
}

void rs_html_page_table_end(rs__text *out) {
    assert(out != NULL);
    assert(out->length > 0 || out->failed);
    rs__text_puts(out, "</tbody>\n</table>\n");
}

char *rs_html_read_file(const char *path, size_t *length) {
    assert(path != NULL && length != NULL);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return NULL;
    }
    char *data = malloc(RS_HTML_FILE_BYTES_MAX + 1);
    *length = data != NULL ? fread(data, 1, RS_HTML_FILE_BYTES_MAX, in) : 0;
    bool failed = data == NULL || ferror(in);
    fclose(in);
    if (failed) {
        free(data);
        return NULL;
    }
    data[*length] = '\0';
    return data;
}

void rs_html_page_file(rs__text *out, const char *path) {
    assert(out != NULL && path != NULL);
    size_t length = 0;
    char *data = rs_html_read_file(path, &length);
    if (data == NULL) {
        rs__text_puts(out, "<p class=\"note\">");
        rs_html_escaped(out, path);
        rs__text_puts(out, " could not be read when this page was written.</p>\n");
        return;
    }
    rs__text_puts(out, "<pre>");
    rs_html_escaped_bytes(out, data, length);
    rs__text_puts(out, length == RS_HTML_FILE_BYTES_MAX ? "\n[... cut]</pre>\n" : "</pre>\n");
    free(data);
}

/* ---------------------------------------------------------------------------------------- */
/* SVG sanitiser                                                                             */

typedef struct html_scanner {
    const char *at;          /* next byte */
    const char *end;         /* one past the </svg> that closes the image */
    const char *prefix;      /* put in front of every id and internal reference */
    rs__text *out;           /* where the sanitised image goes */
} html_scanner;

static bool html_name_char(char c) {
    return isalnum((unsigned char)c) || c == ':' || c == '_' || c == '-' || c == '.';
}

/* Reads a name at scanner->at into name; false when there is none or it is too long. */
static bool html_scan_name(html_scanner *scanner, char name[HTML_NAME_MAX]) {
    size_t length = 0;
    while (scanner->at < scanner->end && html_name_char(*scanner->at)) {
        if (length + 1 >= HTML_NAME_MAX) {
            return false;
        }
        name[length++] = *scanner->at++;
    }
    name[length] = '\0';
    return length > 0;
}

static void html_skip_space(html_scanner *scanner) {
    while (scanner->at < scanner->end && isspace((unsigned char)*scanner->at)) {
        scanner->at++;
    }
}

static bool html_unsafe_element(const char *name) {
    static const char *const unsafe[] = {"script", "style", "foreignobject", "iframe",
                                         "object", "embed", "handler", "listener",
                                         "animate", "set", "animatemotion", "animatetransform"};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        if (strcasecmp(name, unsafe[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Writes one attribute value, escaped, with ids and internal references prefixed; false
 * when the attribute must go (an event handler, an outside link, an outside url()). */
static bool html_attribute_safe(const char *name, const char *value, size_t length) {
    if (strncasecmp(name, "on", 2) == 0) {
        return false;
    }
    bool link = strcasecmp(name, "href") == 0 || strcasecmp(name, "xlink:href") == 0 ||
                strcasecmp(name, "src") == 0;
    if (link && (length == 0 || value[0] != '#')) {
        return false;
    }
    for (size_t i = 0; i + 4 <= length; i++) {
        if (strncasecmp(value + i, "url(", 4) == 0 &&
            (i + 4 >= length || value[i + 4] != '#')) {
            return false;
        }
        if (i + 11 <= length && strncasecmp(value + i, "javascript:", 11) == 0) {
            return false;
        }
    }
    return true;
}

static void html_attribute_value(html_scanner *scanner, const char *name, const char *value,
                                 size_t length) {
    rs__text *out = scanner->out;
    bool link = strcasecmp(name, "href") == 0 || strcasecmp(name, "xlink:href") == 0;
    if (strcmp(name, "id") == 0) {
        rs__text_puts(out, scanner->prefix);
    }
    for (size_t i = 0; i < length; i++) {
        char c = value[i];
        bool reference = (link && i == 0) || (i >= 4 && strncasecmp(value + i - 4, "url(", 4) == 0);
        if (c == '#' && reference) { /* "#id" and "url(#id)", not colours like "#ffffff" */
            rs__text_printf(out, "#%s", scanner->prefix);
        } else if (c == '"' || c == '<' || c == '>') {
            rs__text_puts(out, c == '"' ? "&quot;" : c == '<' ? "&lt;" : "&gt;");
        } else {
            rs__text_append(out, &c, 1);
        }
    }
}

/* The attributes of a start tag, up to and including its '>' or "/>". */
static bool html_scan_attributes(html_scanner *scanner) {
    for (;;) {
        html_skip_space(scanner);
        if (scanner->at >= scanner->end) {
            return false;
        }
        if (*scanner->at == '>' || (*scanner->at == '/' && scanner->at + 1 < scanner->end &&
                                    scanner->at[1] == '>')) {
            rs__text_puts(scanner->out, *scanner->at == '>' ? ">" : "/>");
            scanner->at += *scanner->at == '>' ? 1 : 2;
            return true;
        }
        char name[HTML_NAME_MAX];
        if (!html_scan_name(scanner, name)) {
            return false;
        }
        html_skip_space(scanner);
        if (scanner->at >= scanner->end || *scanner->at != '=') {
            return false; /* gnuplot writes no attribute without a value */
        }
        scanner->at++;
        html_skip_space(scanner);
        char quote = scanner->at < scanner->end ? *scanner->at : '\0';
        const char *close = quote == '"' || quote == '\''
                                ? memchr(scanner->at + 1, quote,
                                         (size_t)(scanner->end - scanner->at - 1))
                                : NULL;
        if (close == NULL) {
            return false;
        }
        const char *value = scanner->at + 1;
        size_t length = (size_t)(close - value);
        scanner->at = close + 1;
        if (html_attribute_safe(name, value, length)) {
            rs__text_printf(scanner->out, " %s=\"", name);
            html_attribute_value(scanner, name, value, length);
            rs__text_puts(scanner->out, "\"");
        }
    }
}

/* Skips an unsafe element from after its name to after its end tag (or its "/>"). */
static bool html_skip_element(html_scanner *scanner, const char *name) {
    const char *close = memchr(scanner->at, '>', (size_t)(scanner->end - scanner->at));
    if (close == NULL) {
        return false;
    }
    if (close > scanner->at && close[-1] == '/') {
        scanner->at = close + 1;
        return true;
    }
    size_t name_length = strlen(name);
    for (const char *c = close; c + 2 + name_length <= scanner->end; c++) {
        if (c[0] == '<' && c[1] == '/' && strncasecmp(c + 2, name, name_length) == 0) {
            const char *end = memchr(c, '>', (size_t)(scanner->end - c));
            scanner->at = end != NULL ? end + 1 : scanner->end;
            return end != NULL;
        }
    }
    return false;
}

/* One markup item at scanner->at ('<'): comment, declaration, end tag or start tag. */
static bool html_scan_markup(html_scanner *scanner) {
    const char *at = scanner->at;
    size_t left = (size_t)(scanner->end - at);
    if (left >= 4 && strncmp(at, "<!--", 4) == 0) {
        const char *close = strstr(at + 4, "-->");
        scanner->at = close != NULL && close < scanner->end ? close + 3 : scanner->end;
        return close != NULL;
    }
    if (left >= 2 && (at[1] == '!' || at[1] == '?')) {
        const char *close = memchr(at, '>', left);
        scanner->at = close != NULL ? close + 1 : scanner->end;
        return close != NULL;
    }
    bool end_tag = left >= 2 && at[1] == '/';
    scanner->at += end_tag ? 2 : 1;
    char name[HTML_NAME_MAX];
    if (!html_scan_name(scanner, name)) {
        return false;
    }
    if (html_unsafe_element(name)) {
        return end_tag ? false : html_skip_element(scanner, name);
    }
    rs__text_printf(scanner->out, "<%s%s", end_tag ? "/" : "", name);
    if (end_tag) {
        html_skip_space(scanner);
        if (scanner->at >= scanner->end || *scanner->at != '>') {
            return false;
        }
        scanner->at++;
        rs__text_puts(scanner->out, ">");
        return true;
    }
    return html_scan_attributes(scanner);
}

int rs_html_svg_sanitised(rs__text *out, const char *svg, size_t length, const char *id_prefix) {
    assert(out != NULL && id_prefix != NULL);
    assert(svg != NULL || length == 0);
    const char *start = NULL, *close = NULL;
    for (size_t i = 0; i + 6 <= length; i++) {
        start = start == NULL && strncmp(svg + i, "<svg", 4) == 0 ? svg + i : start;
        close = strncmp(svg + i, "</svg>", 6) == 0 ? svg + i + 6 : close;
    }
    if (start == NULL || close == NULL || close <= start) {
        return -1;
    }
    rs__text image;
    rs__text_init(&image);
    html_scanner scanner = {.at = start, .end = close, .prefix = id_prefix, .out = &image};
    bool ok = true;
    while (ok && scanner.at < scanner.end) {
        if (*scanner.at == '<') {
            ok = html_scan_markup(&scanner);
            continue;
        }
        const char *next = memchr(scanner.at, '<', (size_t)(scanner.end - scanner.at));
        const char *stop = next != NULL ? next : scanner.end;
        while (scanner.at < stop) { /* text: gnuplot escaped it; '>' escaped to be sure */
            const char *greater = memchr(scanner.at, '>', (size_t)(stop - scanner.at));
            const char *run_end = greater != NULL ? greater : stop;
            rs__text_append(&image, scanner.at, (size_t)(run_end - scanner.at));
            rs__text_puts(&image, greater != NULL ? "&gt;" : "");
            scanner.at = greater != NULL ? greater + 1 : stop;
        }
    }
    ok = ok && !image.failed;
    if (ok) {
        rs__text_append(out, image.data, image.length);
    }
    rs__text_free(&image);
    return ok ? 0 : -1;
}

void rs_html_page_plot_named(rs__text *out, const char *id, const char *file_base,
                             const char *title, const char *svg_path) {
    assert(out != NULL && title != NULL && file_base != NULL);
    assert(id != NULL && html_is_token(id, "_-") && strlen(id) + 2 <= RS_HTML_PREFIX_MAX);
    rs__text_printf(out, "<figure class=\"plot\" id=\"plot-%s\">\n", id);
    size_t length = 0;
    char *svg = svg_path != NULL ? rs_html_read_file(svg_path, &length) : NULL;
    char prefix[RS_HTML_PREFIX_MAX];
    snprintf(prefix, sizeof prefix, "%s-", id);
    if (svg == NULL || rs_html_svg_sanitised(out, svg, length, prefix) != 0) {
        rs__text_printf(out, "<p class=\"note\">Plot not drawn: %s. Its data and gnuplot script "
                             "are in plots/",
                        svg_path == NULL ? "gnuplot was not available or failed"
                                         : "its SVG could not be read or was not understood");
        rs_html_escaped(out, file_base);
        rs__text_puts(out, ".dat and plots/");
        rs_html_escaped(out, file_base);
        rs__text_puts(out, ".gp.</p>");
    }
    free(svg);
    rs__text_puts(out, "\n<figcaption>");
    rs_html_escaped(out, title);
    rs__text_puts(out, " (plots/");
    rs_html_escaped(out, file_base);
    rs__text_puts(out, ".png, .svg, .dat, .gp)</figcaption>\n</figure>\n");
}

void rs_html_page_plot(rs__text *out, const char *base, const char *title,
                       const char *svg_path) {
    assert(out != NULL && title != NULL);
    assert(base != NULL && html_is_token(base, "_"));
    rs_html_page_plot_named(out, base, base, title, svg_path);
}

void rs_html_page_plots_begin(rs__text *out) {
    assert(out != NULL);
    assert(out->length > 0 || out->failed);
    rs__text_puts(out, "<div class=\"plots\">\n");
}

void rs_html_page_plots_end(rs__text *out) {
    assert(out != NULL);
    assert(out->length > 0 || out->failed);
    rs__text_puts(out, "</div>\n");
}

/* One fault's bar and label in the timeline. */
static void html_timeline_bar(rs__text *out, const rs_fault *fault, uint32_t number,
                              double end_s) {
    static const char *const colours[] = {"#e57373", "#9e9e9e", "#f0a840"};
    const char *colour = (size_t)fault->kind < sizeof colours / sizeof colours[0]
                             ? colours[fault->kind] : "#a080d0";
    double scale = (HTML_TIMELINE_WIDTH - HTML_TIMELINE_LEFT - 10) / end_s;
    double x = HTML_TIMELINE_LEFT + (double)fault->start_us / 1e6 * scale;
    double width = (double)(fault->end_us - fault->start_us) / 1e6 * scale;
    double y = (double)(number - 1) * HTML_TIMELINE_ROW + 4;
    rs__text_printf(out, "<text x=\"4\" y=\"%.1f\" font-size=\"12\">fault %u: %s</text>",
                    y + 13, number, rs_fault_kind_name(fault->kind));
    rs__text_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                         "fill=\"%s\"><title>", x, y, width < 1 ? 1 : width, colour);
    rs_html_escaped(out, fault->label);
    rs__text_puts(out, "</title></rect>\n");
}

void rs_html_page_fault_timeline(rs__text *out, const rs_scenario *scenario, double end_s) {
    assert(out != NULL && scenario != NULL);
    assert(end_s >= 0);
    if (scenario->fault_count == 0) {
        rs_html_page_paragraph(out, NULL, "The scenario schedules no fault.");
        return;
    }
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        double fault_end_s = (double)scenario->faults[f].end_us / 1e6;
        end_s = fault_end_s > end_s ? fault_end_s : end_s;
    }
    end_s = end_s > 0 ? end_s : 1;
    unsigned height = scenario->fault_count * HTML_TIMELINE_ROW + 24;
    rs__text_printf(out, "<svg class=\"timeline\" width=\"%d\" height=\"%u\" viewBox=\"0 0 %d %u\" "
                         "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n"
                         "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%u\" fill=\"#ffffff\"/>\n",
                    HTML_TIMELINE_WIDTH, height, HTML_TIMELINE_WIDTH, height,
                    HTML_TIMELINE_WIDTH, height);
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        html_timeline_bar(out, &scenario->faults[f], f + 1, end_s);
    }
    rs__text_printf(out, "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" stroke=\"#444\"/>"
                         "<text x=\"%d\" y=\"%u\" font-size=\"11\">0 s</text>"
                         "<text x=\"%d\" y=\"%u\" font-size=\"11\" text-anchor=\"end\">%.3f s "
                         "(simulated)</text>\n</svg>\n",
                    HTML_TIMELINE_LEFT, height - 20, HTML_TIMELINE_WIDTH - 10, height - 20,
                    HTML_TIMELINE_LEFT, height - 6, HTML_TIMELINE_WIDTH - 10, height - 6, end_s);
    static const char *const headers[] = {"fault", "kind", "what", "start (s)", "end (s)"};
    rs_html_page_table_begin(out, "faults-table", headers, 5);
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        char number[16], start[32], end[32];
        snprintf(number, sizeof number, "%u", f + 1);
        snprintf(start, sizeof start, "%.3f", (double)fault->start_us / 1e6);
        snprintf(end, sizeof end, "%.3f", (double)fault->end_us / 1e6);
        const char *cells[] = {number, rs_fault_kind_name(fault->kind), fault->label, start, end};
        rs_html_page_table_row(out, NULL, cells, 5);
    }
    rs_html_page_table_end(out);
}
