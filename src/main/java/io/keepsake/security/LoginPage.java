package io.keepsake.security;

/** The built-in users' login form: plain HTML, no script, posting to Quarkus' form authentication. */
final class LoginPage {

    private LoginPage() {
    }

    static String render(String postLocation, String userField, String passwordField, boolean failed) {
        String message = failed ? "<p class=\"error\" role=\"alert\">Unknown user or wrong password.</p>\n" : "";
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Sign in · Keepsake</title>
                <style>
                body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0}
                form{display:grid;gap:.75rem;min-width:18rem}
                input,button{font:inherit;padding:.4rem .6rem}
                .error{color:#b00020;margin:0}
                </style>
                </head>
                <body>
                <form method="post" action="%s">
                <h1>Sign in</h1>
                %s<label>User <input name="%s" autocomplete="username" required autofocus></label>
                <label>Password <input name="%s" type="password" autocomplete="current-password" required></label>
                <button type="submit">Sign in</button>
                </form>
                </body>
                </html>
                """.formatted(postLocation, message, userField, passwordField);
    }
}
