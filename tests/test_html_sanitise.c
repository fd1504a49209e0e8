/* test_html_sanitise.c — pins the HTML building blocks of reports/html.c on hostile input:
 * escaping turns every markup character of a name into an entity; the SVG sanitiser keeps a
 * gnuplot-shaped image exactly (ids prefixed, internal references following) and removes
 * scripts, styles, foreign objects, event handlers and outside links, refusing what it cannot
 * read; a table and a plot figure escape their cells, title and (sweep plots) file name.
 * Method: exact expected strings, built by hand. */
#include <stdlib.h>
#include <string.h>

#include "reports/html.h"
#include "tests/support/test_util.h"

static char *built(rs__text *text) {
    CU_ASSERT_FALSE(text->failed);
    return text->data != NULL ? text->data : "";
}

static void test_escaping_turns_markup_into_entities(void) {
    rs__text out;
    rs__text_init(&out);
    rs_html_escaped(&out, "a<script>x</script>&\"q\" 'b'\x01\n");
    CU_ASSERT_STRING_EQUAL(built(&out),
                           "a&lt;script&gt;x&lt;/script&gt;&amp;&quot;q&quot; &#39;b&#39;?\n");
    rs__text_free(&out);
}

static void test_gnuplot_svg_is_kept_with_prefixed_ids(void) {
    const char *svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- c -->\n<svg \n width=\"4\" "
                      "viewBox=\"0 0 4 4\"\n>\n<defs><path id='gpPt0' d='M0,0'/></defs>\n"
                      "<use xlink:href='#gpPt0' fill = 'rgb(1, 2, 3)'/>\n"
                      "<g clip-path=\"url(#clip1)\"><text>a&lt;b &amp; c</text></g>\n</svg>\n";
    rs__text out;
    rs__text_init(&out);
    CU_ASSERT_EQUAL(rs_html_svg_sanitised(&out, svg, strlen(svg), "p-"), 0);
    CU_ASSERT_STRING_EQUAL(built(&out),
                           "<svg width=\"4\" viewBox=\"0 0 4 4\">\n"
                           "<defs><path id=\"p-gpPt0\" d=\"M0,0\"/></defs>\n"
                           "<use xlink:href=\"#p-gpPt0\" fill=\"rgb(1, 2, 3)\"/>\n"
                           "<g clip-path=\"url(#p-clip1)\"><text>a&lt;b &amp; c</text></g>\n"
                           "</svg>");
    rs__text_free(&out);
}

static void test_svg_scripts_handlers_and_outside_links_go(void) {
    const char *svg = "<svg onload='alert(1)' width='2'><script type='x'>alert(2)</script>"
                      "<style>@import url(http://x/);</style><foreignObject><p>h</p>"
                      "</foreignObject><a xlink:href='javascript:alert(3)'><rect "
                      "fill='url(http://x/y)' onclick=\"z\" x='1'/></a>"
                      "<image href='http://x/i.png'/><SCRIPT>alert(4)</SCRIPT><set attributeName='href' "
                      "to='javascript:alert(5)'/><animate values='1'>t</animate></svg>";
    rs__text out;
    rs__text_init(&out);
    CU_ASSERT_EQUAL(rs_html_svg_sanitised(&out, svg, strlen(svg), "q-"), 0);
    CU_ASSERT_STRING_EQUAL(built(&out), "<svg width=\"2\"><a><rect x=\"1\"/></a><image/></svg>");
    CU_ASSERT_PTR_NULL(strstr(built(&out), "alert"));
    rs__text_free(&out);
}

static void test_svg_it_cannot_read_is_refused(void) {
    static const char *const bad[] = {"no image here", "<svg><g x=unquoted/></svg>",
                                      "<svg><g x='never closed/></svg>", "</svg><svg>",
                                      "<svg><script>alert(1)</svg>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rs__text out;
        rs__text_init(&out);
        CU_ASSERT_EQUAL(rs_html_svg_sanitised(&out, bad[i], strlen(bad[i]), "p-"), -1);
        CU_ASSERT_EQUAL(out.length, 0);
        rs__text_free(&out);
    }
}

static void test_table_and_missing_plot_escape_their_text(void) {
    rs__text out;
    rs__text_init(&out);
    static const char *const headers[] = {"<h>", "n"};
    static const char *const cells[] = {"<img src=x>", "1.5 \xc2\xb1 0.2"};
    rs_html_page_table_begin(&out, "t-1", headers, 2);
    rs_html_page_table_row(&out, "pass", cells, 2);
    rs_html_page_table_end(&out);
    rs_html_page_plot(&out, "write_latency", "p99 <b>", NULL);
    CU_ASSERT_STRING_EQUAL(built(&out),
                           "<table id=\"t-1\">\n<thead><tr><th>&lt;h&gt;</th><th>n</th></tr>"
                           "</thead>\n<tbody>\n<tr class=\"pass\"><td>&lt;img src=x&gt;</td>"
                           "<td class=\"num\">1.5 \xc2\xb1 0.2</td></tr>\n</tbody>\n</table>\n"
                           "<figure class=\"plot\" id=\"plot-write_latency\">\n<p class=\"note\">"
                           "Plot not drawn: gnuplot was not available or failed. Its data and "
                           "gnuplot script are in plots/write_latency.dat and "
                           "plots/write_latency.gp.</p>\n<figcaption>p99 &lt;b&gt; "
                           "(plots/write_latency.png, .svg, .dat, .gp)</figcaption>\n</figure>\n");
    rs__text_free(&out);
}

static void test_named_plot_escapes_its_file_name(void) {
    rs__text out;
    rs__text_init(&out);
    rs_html_page_plot_named(&out, "success_rate-vs-p1", "success_rate-vs-<x>&y", "t", NULL);
    CU_ASSERT_STRING_EQUAL(built(&out),
                           "<figure class=\"plot\" id=\"plot-success_rate-vs-p1\">\n"
                           "<p class=\"note\">Plot not drawn: gnuplot was not available or "
                           "failed. Its data and gnuplot script are in "
                           "plots/success_rate-vs-&lt;x&gt;&amp;y.dat and "
                           "plots/success_rate-vs-&lt;x&gt;&amp;y.gp.</p>\n<figcaption>t "
                           "(plots/success_rate-vs-&lt;x&gt;&amp;y.png, .svg, .dat, .gp)"
                           "</figcaption>\n</figure>\n");
    rs__text_free(&out);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"escaping turns markup into entities", test_escaping_turns_markup_into_entities},
        {"gnuplot svg is kept with prefixed ids", test_gnuplot_svg_is_kept_with_prefixed_ids},
        {"svg scripts, handlers and outside links go",
         test_svg_scripts_handlers_and_outside_links_go},
        {"svg it cannot read is refused", test_svg_it_cannot_read_is_refused},
        {"table and missing plot escape their text",
         test_table_and_missing_plot_escape_their_text},
        {"named plot escapes its file name", test_named_plot_escapes_its_file_name},
        CU_TEST_INFO_NULL};
    rs_test_add_suite("html", tests);
    return rs_test_run_all();
}
