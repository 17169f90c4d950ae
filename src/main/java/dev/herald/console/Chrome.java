package dev.herald.console;

import io.quarkus.qute.TemplateData;

/**
 * What every console page's frame shows: its title, the section of the menu it is in, the
 * session's anti-forgery token for its forms, and a notice left by the action before.
 */
@TemplateData
public record Chrome(String title, String section, String csrf, String notice) {
}
