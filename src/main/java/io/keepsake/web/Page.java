package io.keepsake.web;

import java.util.List;

/** One page of a list: its items and, when more follow, the token to pass as {@code cursor}. */
public record Page<T>(List<T> items, String pageToken) {
}
