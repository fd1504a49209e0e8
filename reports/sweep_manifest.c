/* sweep_manifest.c — manifest.json, the small record `replsim sweep-run` leaves next to a
 * finished run's report: the scenario, the swept parameters' values and the seed (see
 * sweep_report.h). Written atomically (fileio.c), so a directory with a manifest holds a
 * finished run; read back by merges. */
#include "reports/sweep_report.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/report_internal.h"

#define SWEEP_MANIFEST_BYTES_MAX (1024 * 1024) /* a manifest is a few hundred bytes */
#define SWEEP_SEED_EXACT_MAX 9007199254740992.0 /* 2^53: cJSON reads numbers as doubles */

/* ---------------------------------------------------------------------------------------- */
/* Manifests.                                                                                */

int rs_sweep_manifest_write(const rs_sweep_manifest *manifest, const char *dir, char *error,
                            size_t error_size) {
    assert(manifest != NULL && dir != NULL);
    assert(manifest->parameter_count <= RS_SWEEP_PARAMETERS_MAX);
    bool failed = false;
    cJSON *root = cJSON_CreateObject();
    char raw[RS__NUMBER_BYTES];
    snprintf(raw, sizeof raw, "%llu", (unsigned long long)manifest->seed);
    failed |= root == NULL || cJSON_AddRawToObject(root, "manifest_version", "1") == NULL;
    failed |= failed || cJSON_AddStringToObject(root, "scenario_name",
                                                manifest->scenario_name) == NULL;
    failed |= failed || cJSON_AddStringToObject(root, "scenario_file",
                                                manifest->scenario_file) == NULL;
    cJSON *parameters = failed ? NULL : cJSON_AddArrayToObject(root, "parameters");
    failed |= parameters == NULL;
    for (size_t p = 0; !failed && p < manifest->parameter_count; p++) {
        cJSON *item = cJSON_CreateObject();
        failed |= item == NULL || !cJSON_AddItemToArray(parameters, item) ||
                  cJSON_AddStringToObject(item, "path", manifest->paths[p]) == NULL ||
                  cJSON_AddStringToObject(item, "value", manifest->values[p]) == NULL;
    }
    failed |= failed || cJSON_AddRawToObject(root, "seed", raw) == NULL;
    snprintf(raw, sizeof raw, "%d", manifest->exit_status);
    failed |= failed || cJSON_AddRawToObject(root, "exit_status", raw) == NULL;
    char *printed = failed ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    rs__text text;
    rs__text_init(&text);
    rs__text_puts(&text, printed != NULL ? printed : "");
    rs__text_puts(&text, "\n");
    text.failed |= printed == NULL;
    free(printed);
    rs__stage stage;
    rs__stage_init(&stage);
    int status = rs__stage_write(&stage, dir, RS_SWEEP_MANIFEST, &text, error, error_size);
    status = status == 0 ? rs__stage_commit(&stage, error, error_size) : status;
    if (status != 0) {
        rs__stage_abort(&stage);
    }
    rs__text_free(&text);
    return status;
}

/* The parsed <dir>/manifest.json, or NULL with a message. */
static cJSON *sweep_parse_manifest(const char *dir, char *error, size_t error_size) {
    assert(dir != NULL && error != NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_MANIFEST);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        snprintf(error, error_size, "%s: %s (not a finished sweep run)", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(SWEEP_MANIFEST_BYTES_MAX + 1);
    size_t length = text != NULL ? fread(text, 1, SWEEP_MANIFEST_BYTES_MAX, in) : 0;
    bool failed = text == NULL || ferror(in) || length == SWEEP_MANIFEST_BYTES_MAX;
    fclose(in);
    cJSON *root = NULL;
    if (!failed) {
        text[length] = '\0';
        root = cJSON_Parse(text);
    }
    free(text);
    if (root == NULL) {
        snprintf(error, error_size, "%s: cannot read, or not JSON", path);
    }
    return root;
}

static bool sweep_copy_string(const cJSON *object, const char *key, char *buf, size_t size) {
    assert(key != NULL && buf != NULL);
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, key));
    if (value == NULL || strlen(value) >= size) {
        return false;
    }
    memcpy(buf, value, strlen(value) + 1);
    return true;
}

/* manifest.json into *manifest. 0, or -1 with a message. */
int rs__sweep_manifest_read(const char *dir, rs_sweep_manifest *manifest, char *error,
                               size_t error_size) {
    assert(dir != NULL && manifest != NULL);
    memset(manifest, 0, sizeof *manifest);
    cJSON *root = sweep_parse_manifest(dir, error, error_size);
    if (root == NULL) {
        return -1;
    }
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "exit_status");
    const cJSON *parameters = cJSON_GetObjectItemCaseSensitive(root, "parameters");
    bool ok = sweep_copy_string(root, "scenario_name", manifest->scenario_name,
                                RS_SWEEP_TEXT_MAX) &&
              sweep_copy_string(root, "scenario_file", manifest->scenario_file,
                                RS_SWEEP_TEXT_MAX) &&
              cJSON_IsNumber(seed) && seed->valuedouble >= 0 &&
              seed->valuedouble <= SWEEP_SEED_EXACT_MAX && cJSON_IsNumber(status) &&
              cJSON_IsArray(parameters) &&
              cJSON_GetArraySize(parameters) <= RS_SWEEP_PARAMETERS_MAX;
    if (ok) {
        manifest->seed = (uint64_t)seed->valuedouble;
        manifest->exit_status = status->valueint;
    }
    const cJSON *item;
    const cJSON *list = ok ? parameters : NULL;
    cJSON_ArrayForEach(item, list) {
        size_t p = manifest->parameter_count++;
        ok = ok && sweep_copy_string(item, "path", manifest->paths[p], RS_SWEEP_TEXT_MAX) &&
             sweep_copy_string(item, "value", manifest->values[p], RS_SWEEP_TEXT_MAX);
    }
    cJSON_Delete(root);
    if (!ok) {
        snprintf(error, error_size, "%s/%s: not a sweep manifest (fields scenario_name, "
                                    "scenario_file, parameters[{path, value}], seed, "
                                    "exit_status)", dir, RS_SWEEP_MANIFEST);
        return -1;
    }
    assert(manifest->parameter_count <= RS_SWEEP_PARAMETERS_MAX);
    return 0;
}

