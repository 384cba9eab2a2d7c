package org.glusterj.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.FileAppender;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/** Applies --log-level and --log-file to logback (console logging to stderr is the default). */
final class Logging {
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    static void configure(String level, String file) throws UsageException {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (level != null) {
            String l = level.toUpperCase(Locale.ROOT);
            if (!LEVELS.contains(l)) {
                throw new UsageException("--log-level must be one of TRACE, DEBUG, INFO, WARN, ERROR; got \"" + level + "\"");
            }
            root.setLevel(Level.toLevel(l));
        }
        if (file != null) {
            PatternLayoutEncoder enc = new PatternLayoutEncoder();
            enc.setContext(ctx);
            enc.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n");
            enc.start();
            FileAppender<ch.qos.logback.classic.spi.ILoggingEvent> app = new FileAppender<>();
            app.setContext(ctx);
            app.setName("FILE");
            app.setFile(file);
            app.setAppend(true);
            app.setEncoder(enc);
            app.start();
            if (!app.isStarted()) throw new UsageException("cannot write log file " + file);
            root.detachAndStopAllAppenders();
            root.addAppender(app);
        }
    }

    private Logging() {
    }
}
