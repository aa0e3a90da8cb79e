/* Before anything is drawn: the page has JavaScript (a blocking script in the head, never
   inline, for the Content-Security-Policy). */
document.documentElement.classList.replace("no-js", "js");
