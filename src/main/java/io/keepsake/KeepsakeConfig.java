package io.keepsake;

import io.keepsake.config.AccessLogsConfig;
import io.keepsake.config.BatchConfig;
import io.keepsake.config.BodiesConfig;
import io.keepsake.config.BuiltInUsersConfig;
import io.keepsake.config.ErasureConfig;
import io.keepsake.config.IdempotencyConfig;
import io.keepsake.config.LimitsConfig;
import io.keepsake.config.NoticesConfig;
import io.keepsake.config.PagingConfig;
import io.keepsake.config.QuotasConfig;
import io.keepsake.config.RevisionsConfig;
import io.keepsake.config.RateLimitsConfig;
import io.keepsake.config.ReadsConfig;
import io.keepsake.config.SessionsConfig;
import io.keepsake.config.SignInConfig;
import io.keepsake.config.SnapshotsConfig;
import io.keepsake.config.StoreConfig;
import io.keepsake.config.TasksConfig;
import io.keepsake.config.WebvizConfig;
import io.smallrye.config.ConfigMapping;

/**
 * Every Keepsake setting, under the {@code keepsake.} prefix: one group per method, each declared
 * with its settings, their defaults and a line of javadoc each in {@code io.keepsake.config}.
 */
@ConfigMapping(prefix = "keepsake")
public interface KeepsakeConfig {

    LimitsConfig limits();

    BodiesConfig bodies();

    PagingConfig paging();

    IdempotencyConfig idempotency();

    StoreConfig store();

    TasksConfig tasks();

    SnapshotsConfig snapshots();

    AccessLogsConfig accessLogs();

    RateLimitsConfig rateLimits();

    NoticesConfig notices();

    ReadsConfig reads();

    WebvizConfig webviz();

    SignInConfig signIn();

    BuiltInUsersConfig builtInUsers();

    QuotasConfig quotas();

    RevisionsConfig revisions();

    ErasureConfig erasure();

    SessionsConfig sessions();

    BatchConfig batch();
}
