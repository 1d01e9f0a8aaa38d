// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
#ifndef FORAGER_CCURL_SHIM_H
#define FORAGER_CCURL_SHIM_H

#include <curl/curl.h>
#include <poll.h>
#include <sys/socket.h>

typedef size_t (*forager_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*forager_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode forager_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode forager_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode forager_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode forager_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode forager_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode forager_curl_setopt_cb(CURL *h, CURLoption o, forager_curl_data_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode forager_curl_setopt_xferinfo(CURL *h, forager_curl_xferinfo_cb v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }

static inline CURLcode forager_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode forager_curl_getinfo_socket(CURL *h, CURLINFO i, curl_socket_t *v) { return curl_easy_getinfo(h, i, v); }

#endif
