package main

// theCat is what the store sells: a cat sitting by a lightning bolt, drawn
// for Fulmen.
const theCat = `
       /\_____/\                ____
      /  o   o  \              /   /
     ( ==  ^  == )            /   /__
      )         (            /__    /
     (           )  __         /  /
    ( (  )   (  ) )/ /        / /
   (__(__)___(__)__)_/       //
                             '
   Thank you for paying with Lightning.
`
