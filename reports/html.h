/* html.h — building blocks of the self-contained report.html pages (run, compare and
 * sweep): a page with inline CSS, sections, escaped text, tables, escaped file contents, plots
 * embedded as sanitised inline SVG (or a note where gnuplot could not draw them), and a fault
 * timeline drawn as inline SVG. Pages need no script and no network: every byte is in the
 * file. Everything passed as text is HTML-escaped here (names from scenarios are data); the
 * caller never writes raw markup from a scenario. Output goes to an rs__text (reports'
 * growable buffer, report_internal.h); check its `failed` flag once at the end. */
#ifndef RS_HTML_H
#define RS_HTML_H

#include <stddef.h>

#include "model/scenario.h"
#include "reports/report_internal.h"

#define RS_HTML_FILE_BYTES_MAX (4 * 1024 * 1024) /* a file shown or embedded (scenario, SVG) */
#define RS_HTML_PREFIX_MAX 64                    /* bytes of an SVG id prefix, NUL included */

/* `text` with & < > " ' as entities and control bytes other than newline and tab as '?'. */
void rs_html_escaped(rs__text *out, const char *text);
void rs_html_escaped_bytes(rs__text *out, const char *bytes, size_t length);

/* <!DOCTYPE html> ... <body><main><h1>heading</h1>; `title` is the tab title. */
void rs_html_page_begin(rs__text *out, const char *title, const char *heading);
/* Footer and the closing tags of rs_html_page_begin. */
void rs_html_page_end(rs__text *out);

/* <section id="id"><h2>heading</h2> ... </section>; `id` is [a-z0-9-] (asserted). */
void rs_html_page_section(rs__text *out, const char *id, const char *heading);
void rs_html_page_section_end(rs__text *out);

/* <p class="cls">text</p> (cls NULL: no class). */
void rs_html_page_paragraph(rs__text *out, const char *cls, const char *text);

/* A table: a header row of `count` escaped cells, then rows, then the end. A row's class
 * (NULL: none) is [a-z-]; cells are escaped. A wide table goes inside <div class="wide">
 * (the style sheet lets it scroll sideways). */
void rs_html_page_table_begin(rs__text *out, const char *id, const char *const *headers,
                              size_t count);
void rs_html_page_table_row(rs__text *out, const char *row_class, const char *const *cells,
                            size_t count);
void rs_html_page_table_end(rs__text *out);

/* The first RS_HTML_FILE_BYTES_MAX bytes of `path`, NUL-terminated, their count in *length;
 * NULL when it cannot be read. The caller frees it. */
char *rs_html_read_file(const char *path, size_t *length);

/* The contents of `path` escaped in <pre> (at most RS_HTML_FILE_BYTES_MAX bytes), or a note
 * when it cannot be read. */
void rs_html_page_file(rs__text *out, const char *path);

/* <figure class="plot" id="plot-<base>"> with the SVG file at `svg_path` embedded
 * (rs_html_svg_sanitised), and a caption naming plots/<base>.{png,svg,dat,gp}; when svg_path
 * is NULL or the file cannot be used, a note says why the plot is missing. `base` is
 * [a-z0-9_] (asserted). */
void rs_html_page_plot(rs__text *out, const char *base, const char *title,
                       const char *svg_path);

/* rs_html_page_plot for a plot whose file name is not an id: <figure id="plot-<id>">, SVG ids
 * prefixed "<id>-", and the caption and note naming plots/<file_base>.* (escaped). `id` is
 * [a-z0-9_-], at most RS_HTML_PREFIX_MAX - 2 bytes (asserted); file_base is any text. */
void rs_html_page_plot_named(rs__text *out, const char *id, const char *file_base,
                             const char *title, const char *svg_path);

/* A grid of plots (two per row) around rs_html_page_plot calls. */
void rs_html_page_plots_begin(rs__text *out);
void rs_html_page_plots_end(rs__text *out);

/* The <svg>...</svg> element of an SVG document (gnuplot's output), made safe to inline:
 * everything before <svg and after </svg> goes (XML declaration, doctype, comments), as do
 * script, style, foreignObject, iframe, object, embed and animation (animate, set, ...)
 * elements, on* attributes, values holding "javascript:", and any
 * link or url() that does not point inside the image; id="x" becomes id="<id_prefix>x" (and
 * references follow) so several plots can share a page. 0, or -1 (nothing appended) when the
 * input is not an SVG this understands. */
int rs_html_svg_sanitised(rs__text *out, const char *svg, size_t length, const char *id_prefix);

/* The fault windows of `scenario` over [0, end_s] as an inline SVG timeline (one bar per
 * fault, numbered as in the plots) and a table (number, kind, what, start, end). A sentence
 * when there is no fault. */
void rs_html_page_fault_timeline(rs__text *out, const rs_scenario *scenario, double end_s);

#endif
